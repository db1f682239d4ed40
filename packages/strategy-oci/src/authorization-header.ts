/**
 * Strict parser for the OCI `Authorization: Signature version="1",keyId="…",algorithm="rsa-sha256",
 * headers="…",signature="…"` header. Gatehouse never verifies the signature itself (OCI does, on the relay);
 * it parses the header to bind it to the login: the keyId must name `userOcid`, and the headers that OCI
 * will check must be the ones Gatehouse checks and forwards. Anything ambiguous (duplicate or unknown
 * parameters, escapes) is refused, so Gatehouse and OCI can never read two different keyIds from one header.
 */
import { AuthError } from '@gatehouse-auth/core';
import { TENANCY_OCID, USER_OCID, isOcid } from './ocid.js';

export interface OciSignature {
  keyId: { tenancyOcid: string; userOcid: string; fingerprint: string };
  /** Signed header names in signing order, e.g. `['date', '(request-target)', 'host']`. */
  signedHeaders: string[];
  /** The decoded signature bytes (for the replay key). */
  signature: Buffer;
}

/** Headers Gatehouse receives in the login body and can therefore forward: only these may be signed. */
export const FORWARDABLE_HEADERS = ['host', 'date', 'x-date'] as const;

const KNOWN_PARAMS = new Set(['version', 'keyId', 'algorithm', 'headers', 'signature']);
const PARAM = /^([A-Za-z]{1,32})="([\x20\x21\x23-\x5b\x5d-\x7e]*)"$/;
const HEADER_NAME = /^(?:\(request-target\)|[a-z0-9-]{1,64})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/i;
/** OCI API keys are RSA 2048–8192 bits (some tenancies still allow 1024-bit legacy keys: refuse those). */
const SIGNATURE_BYTES = { min: 256, max: 1024 };

function refuse(reasonCode: string, message = 'The authorization header is not a valid OCI request signature'): AuthError {
  return new AuthError({ kind: 'unauthenticated', reasonCode, message });
}

export function parseOciSignature(header: string): OciSignature {
  if (!header.startsWith('Signature ')) throw refuse('signature_scheme_invalid');
  const params = new Map<string, string>();
  for (const part of header.slice('Signature '.length).split(',')) {
    const m = PARAM.exec(part.trim());
    if (!m) throw refuse('signature_malformed');
    const [, name, value] = m as unknown as [string, string, string];
    if (!KNOWN_PARAMS.has(name)) throw refuse('signature_unknown_param');
    if (params.has(name)) throw refuse('signature_duplicate_param');
    params.set(name, value);
  }
  for (const name of KNOWN_PARAMS) if (!params.has(name)) throw refuse('signature_param_missing');

  if (params.get('version') !== '1') throw refuse('signature_version_unsupported', 'Only OCI signature version "1" is supported');
  if (params.get('algorithm') !== 'rsa-sha256') throw refuse('signature_algorithm_unsupported', 'Only the rsa-sha256 signature algorithm is supported');

  const signedHeaders = params.get('headers')!.split(' ');
  const seen = new Set<string>();
  for (const name of signedHeaders) {
    if (!HEADER_NAME.test(name) || seen.has(name)) throw refuse('signed_headers_malformed');
    seen.add(name);
  }
  if (!seen.has('(request-target)') || !seen.has('host') || !(seen.has('date') || seen.has('x-date'))) {
    throw refuse('signed_headers_incomplete', 'The signature must cover (request-target), host and date or x-date');
  }
  for (const name of seen) {
    if (name !== '(request-target)' && !(FORWARDABLE_HEADERS as readonly string[]).includes(name)) {
      throw refuse('signed_header_unavailable', 'The signature covers a header the login request cannot carry');
    }
  }

  const encoded = params.get('signature')!;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw refuse('signature_encoding_invalid');
  const signature = Buffer.from(encoded, 'base64');
  if (signature.length < SIGNATURE_BYTES.min || signature.length > SIGNATURE_BYTES.max) throw refuse('signature_length_invalid');

  const segments = params.get('keyId')!.split('/');
  const [tenancyOcid, userOcid, fingerprint] = segments;
  if (segments.length !== 3 || !tenancyOcid || !userOcid || !fingerprint) throw refuse('key_id_malformed', 'The keyId must be <tenancy OCID>/<user OCID>/<key fingerprint>');
  if (!isOcid(tenancyOcid, TENANCY_OCID) || !isOcid(userOcid, USER_OCID) || !FINGERPRINT.test(fingerprint)) {
    throw refuse('key_id_malformed', 'The keyId must be <tenancy OCID>/<user OCID>/<key fingerprint>');
  }
  return { keyId: { tenancyOcid, userOcid, fingerprint: fingerprint.toLowerCase() }, signedHeaders, signature };
}
