/**
 * OCI request signatures (draft-cavage-http-signatures, `version="1"`, rsa-sha256) as OCI Identity checks
 * them. This is the emulator's own implementation, written independently of `@gatehouse-auth/strategy-oci`, so
 * the two can catch each other's mistakes.
 */
import { createVerify, type KeyObject } from 'node:crypto';

export interface OciAuthorization {
  version: string;
  keyId: string;
  algorithm: string;
  /** Signed header names, lower case, in signing order. */
  headers: string[];
  signature: string;
}

const PARAM = /^([A-Za-z]+)="([^"\\]*)"$/;

/** Parses `Signature version="1",keyId="…",…`; null when the header is not a well-formed OCI signature. */
export function parseOciAuthorization(header: string | undefined): OciAuthorization | null {
  if (!header || header.length > 8192 || !header.startsWith('Signature ')) return null;
  const params = new Map<string, string>();
  for (const part of header.slice('Signature '.length).split(',')) {
    const m = PARAM.exec(part.trim());
    if (!m || params.has(m[1]!)) return null;
    params.set(m[1]!, m[2]!);
  }
  const version = params.get('version');
  const keyId = params.get('keyId');
  const algorithm = params.get('algorithm');
  const headers = params.get('headers');
  const signature = params.get('signature');
  if (!version || !keyId || !algorithm || !headers || !signature) return null;
  return { version, keyId, algorithm, headers: headers.toLowerCase().split(' ').filter(Boolean), signature };
}

/** The draft-cavage signing string: one `name: value` line per signed header, `(request-target)` as `get /path`. */
export function signingString(
  signedHeaders: readonly string[],
  request: { method: string; target: string; headers: Record<string, string | string[] | undefined> },
): string | null {
  const lines: string[] = [];
  for (const name of signedHeaders) {
    if (name === '(request-target)') {
      lines.push(`(request-target): ${request.method.toLowerCase()} ${request.target}`);
      continue;
    }
    const value = request.headers[name];
    if (value === undefined) return null;
    lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
  }
  return lines.join('\n');
}

export function verifyRsaSha256(data: string, signatureBase64: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  try {
    return createVerify('RSA-SHA256').update(data).verify(publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
