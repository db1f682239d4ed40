// Per-identity configuration: validated when written (every CA must parse and be a CA; every CRL must parse,
// and verify when its issuer is one of the configured CAs), parsed again at login through a bounded cache.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { compileCommonNames, compileSubjectAltNames, parseSanPattern } from './allow-list.js';
import { parseCrl, type ParsedCrl } from './crl.js';
import type { Matcher } from './glob.js';
import { parseCertificate, type ParsedCertificate, type SubjectAltName } from './parse-certificate.js';
import type { OcspSettings } from './ocsp/checker.js';
import { urlProblem } from './ocsp/responders.js';
import { pemBlocks } from './pem.js';

const MAX_PEM_CHARS = 64 * 1024;
const MAX_CRL_PEM_CHARS = 4 * 1024 * 1024;

export const tlsCertConfigSchema = z
  .strictObject({
    /** PEM; each entry holds one or more CA certificates (a bundle is fine). */
    caCertificates: z.array(z.string().max(MAX_PEM_CHARS)).min(1).max(16),
    /** Globs on the leaf's subject CN; empty or absent: any CN. */
    allowedCommonNames: z.array(z.string().min(1).max(256)).max(100).default([]),
    /** `dns:`, `uri:`, `email:` globs and `ip:` CIDRs; at least one SAN must match. Empty or absent: any. */
    allowedSubjectAltNames: z.array(z.string().min(1).max(512)).max(100).default([]),
    /** PEM CRLs, from the configured CAs or from intermediates below them. */
    crls: z.array(z.string().max(MAX_CRL_PEM_CHARS)).max(16).default([]),
    /** Check the leaf's status with OCSP (Vault: `ocsp_enabled`). */
    ocspEnabled: z.boolean().default(false),
    /** Admit the login (with an audit warning) when OCSP cannot confirm the leaf is good; revoked is always refused. */
    ocspFailOpen: z.boolean().default(false),
    /** Responders to ask instead of the certificate's authorityInfoAccess URLs (which are then ignored). */
    ocspServersOverride: z.array(z.string().max(2048)).max(4).default([]),
    /** Ask every responder and admit only if all say good; otherwise the first definite answer wins. */
    ocspQueryAllServers: z.boolean().default(false),
    /** Send a nonce and require it back (RFC 8954); such identities never use cached answers. */
    ocspNonce: z.boolean().default(false),
    /** Seconds: refuse answers whose thisUpdate is older; 0 (default): nextUpdate alone limits their age. */
    ocspThisUpdateMaxAge: z.number().int().min(0).max(365 * 86_400).default(0),
  })
  .superRefine((config, ctx) => {
    const anchors: ParsedCertificate[] = [];
    config.caCertificates.forEach((pem, index) => {
      const problem = caProblem(pem, anchors);
      if (problem) ctx.addIssue({ code: 'custom', path: ['caCertificates', index], message: problem });
    });
    config.allowedSubjectAltNames.forEach((text, index) => {
      try {
        parseSanPattern(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['allowedSubjectAltNames', index], message: (err as Error).message });
      }
    });
    config.crls.forEach((pem, index) => {
      const problem = crlProblem(pem, anchors);
      if (problem) ctx.addIssue({ code: 'custom', path: ['crls', index], message: problem });
    });
    config.ocspServersOverride.forEach((url, index) => {
      const problem = urlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', path: ['ocspServersOverride', index], message: `is ${problem}: an OCSP responder needs an http(s) URL without credentials` });
    });
  });

export type TlsCertConfig = z.output<typeof tlsCertConfigSchema>;
export type TlsCertConfigInput = z.input<typeof tlsCertConfigSchema>;

function caProblem(pem: string, anchors: ParsedCertificate[]): string | undefined {
  let blocks: Buffer[];
  try {
    blocks = pemBlocks(pem, 'CERTIFICATE');
  } catch {
    return 'is not valid PEM';
  }
  if (blocks.length === 0) return 'holds no PEM certificate';
  if (blocks.length > 16) return 'holds more than 16 certificates';
  for (const der of blocks) {
    let cert: ParsedCertificate;
    try {
      cert = parseCertificate(der);
    } catch {
      return 'holds a certificate that cannot be parsed';
    }
    if (!cert.basicConstraints?.cA) return 'holds a certificate that is not a CA (basicConstraints cA is not true)';
    if (cert.keyUsage && !cert.keyUsage.keyCertSign) return 'holds a CA certificate whose keyUsage lacks keyCertSign';
    anchors.push(cert);
  }
  return undefined;
}

function crlProblem(pem: string, anchors: readonly ParsedCertificate[]): string | undefined {
  let blocks: Buffer[];
  try {
    blocks = pemBlocks(pem, 'X509 CRL');
  } catch {
    return 'is not valid PEM';
  }
  if (blocks.length !== 1) return 'must hold exactly one PEM "X509 CRL" block';
  let crl: ParsedCrl;
  try {
    crl = parseCrl(blocks[0]!);
  } catch {
    return 'cannot be parsed as a CRL';
  }
  const sameName = anchors.filter((a) => a.subjectDer.equals(crl.issuerDer));
  if (sameName.length > 0 && !sameName.some((a) => crl.signedBy(a.publicKey))) {
    return 'names a configured CA as issuer but is not signed by it';
  }
  return undefined;
}

/** A stored config, ready for verification. */
export interface PreparedConfig {
  anchors: ParsedCertificate[];
  crls: ParsedCrl[];
  allowCommonName: Matcher | undefined;
  allowSubjectAltNames: ((sans: readonly SubjectAltName[]) => boolean) | undefined;
  /** Undefined when OCSP is off for this identity. */
  ocsp: OcspSettings | undefined;
}

/**
 * LRU of prepared configs keyed by a hash of their content (a database store hands back a fresh object each
 * time), fronted by a WeakMap for stores that hand back the same object (no hashing of large CRLs then).
 */
export class PreparedConfigCache {
  readonly #entries = new Map<string, PreparedConfig>();
  readonly #byObject = new WeakMap<object, PreparedConfig>();
  constructor(private readonly maxEntries = 256) {}

  get(config: TlsCertConfig): PreparedConfig {
    const known = this.#byObject.get(config);
    if (known) return known;
    const key = createHash('sha256').update(JSON.stringify(config)).digest('base64url');
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      this.#byObject.set(config, hit);
      return hit;
    }
    const prepared = prepare(config);
    this.#byObject.set(config, prepared);
    this.#entries.set(key, prepared);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    return prepared;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Throws on a stored config that no longer parses (it was validated when written, so that is a server fault). */
export function prepare(config: TlsCertConfig): PreparedConfig {
  return {
    anchors: config.caCertificates.flatMap((pem) => pemBlocks(pem, 'CERTIFICATE').map((der) => parseCertificate(der))),
    crls: config.crls.map((pem) => parseCrl(pemBlocks(pem, 'X509 CRL')[0]!)),
    allowCommonName: compileCommonNames(config.allowedCommonNames ?? []),
    allowSubjectAltNames: compileSubjectAltNames(config.allowedSubjectAltNames ?? []),
    ocsp: config.ocspEnabled
      ? {
          failOpen: config.ocspFailOpen ?? false,
          serversOverride: config.ocspServersOverride ?? [],
          queryAllServers: config.ocspQueryAllServers ?? false,
          nonce: config.ocspNonce ?? false,
          thisUpdateMaxAge: config.ocspThisUpdateMaxAge ?? 0,
        }
      : undefined,
  };
}
