/**
 * The tls-cert method in the admin API, as Infisical's TLS Certificate Auth: `caCertificate` (PEM; a bundle of
 * several CA certificates is fine) and `allowedCommonNames` as a comma-separated string (a JSON list is accepted
 * too; null or empty: any CN), answered under `identityTlsCertAuth` — the CA certificates in the clear, since
 * they are public. The rest of the identity config (SAN globs, CRLs, OCSP) travels by its own names.
 */
import type { StrategyAdminApi } from '@gatehouse-auth/core';
import { z } from 'zod';
import type { TlsCertConfig } from './config.js';

const MAX_PEM_CHARS = 64 * 1024;
const MAX_CRL_PEM_CHARS = 4 * 1024 * 1024;

const FIELDS = {
  caCertificate: z.string().max(16 * MAX_PEM_CHARS).describe('PEM CA certificate(s) that client certificate chains must lead to.'),
  allowedCommonNames: z
    .union([z.string().max(100 * 258), z.array(z.string().max(256)).max(100), z.null()])
    .describe('Comma-separated globs the leaf\'s subject CN must match; null or empty: any CN.'),
  allowedSubjectAltNames: z.array(z.string().max(512)).max(100).describe('Gatehouse: `dns:`, `uri:`, `email:` globs and `ip:` CIDRs; one SAN must match. Empty: any.'),
  crls: z.array(z.string().max(MAX_CRL_PEM_CHARS)).max(16).describe('Gatehouse: PEM CRLs checked for the chain.'),
  ocspEnabled: z.boolean().describe('Gatehouse: check the leaf with OCSP.'),
  ocspFailOpen: z.boolean().describe('Gatehouse: admit (with an audit warning) when OCSP cannot answer; revoked is always refused.'),
  ocspServersOverride: z.array(z.string().max(2048)).max(4).describe('Gatehouse: OCSP responders to ask instead of the certificate\'s.'),
  ocspQueryAllServers: z.boolean().describe('Gatehouse: every responder must say good.'),
  ocspNonce: z.boolean().describe('Gatehouse: send and require an OCSP nonce.'),
  ocspThisUpdateMaxAge: z.number().int().min(0).max(365 * 86_400).describe('Gatehouse: oldest OCSP thisUpdate accepted, seconds; 0: nextUpdate alone decides.'),
};

type Fields = { [K in keyof typeof FIELDS]?: z.output<(typeof FIELDS)[K]> };

const commonNamesOf = (v: string | string[] | null): string[] =>
  v === null ? [] : Array.isArray(v) ? v : v.split(',').map((n) => n.trim()).filter(Boolean);

/** Every PEM certificate block of a bundle, each its own list entry (the config schema checks each is a CA). */
const caEntriesOf = (pem: string): string[] => {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks && blocks.length > 1 ? blocks.map((b) => `${b}\n`) : [pem];
};

export const tlsCertAdminApi: StrategyAdminApi = {
  segment: 'tls-cert-auth',
  envelope: 'identityTlsCertAuth',
  title: 'TLS Certificate Auth',
  fields: FIELDS,
  required: ['caCertificate'],
  toConfig(given, current) {
    const fields = given as Fields;
    const prev = current as TlsCertConfig | undefined;
    const { caCertificate, allowedCommonNames, ...rest } = fields;
    return {
      ...(prev ?? {}),
      ...rest,
      caCertificates: caCertificate !== undefined ? caEntriesOf(caCertificate) : prev?.caCertificates,
      allowedCommonNames: allowedCommonNames !== undefined ? commonNamesOf(allowedCommonNames) : (prev?.allowedCommonNames ?? []),
    };
  },
  toFields(config) {
    const c = config as TlsCertConfig;
    return {
      caCertificate: c.caCertificates.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join(''),
      allowedCommonNames: c.allowedCommonNames.length ? c.allowedCommonNames.join(',') : null,
      allowedSubjectAltNames: c.allowedSubjectAltNames,
      crls: c.crls,
      ocspEnabled: c.ocspEnabled,
      ocspFailOpen: c.ocspFailOpen,
      ocspServersOverride: c.ocspServersOverride,
      ocspQueryAllServers: c.ocspQueryAllServers,
      ocspNonce: c.ocspNonce,
      ocspThisUpdateMaxAge: c.ocspThisUpdateMaxAge,
    };
  },
  fieldOf: (path) => (path[0] === undefined || path[0] === 'caCertificates' ? 'caCertificate' : String(path[0])),
};
