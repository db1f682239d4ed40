/**
 * `POST /api/v1/auth/tls-cert-auth/login`: a machine proves it holds a private key whose certificate chains to
 * a CA configured on its identity. The TLS layer proved key possession (the handshake); this strategy decides
 * trust: path to a configured CA, signatures, validity against the injected clock, constraints, EKU,
 * revocation, then the identity's CN/SAN allow-lists.
 */
import { tlsCertAdminApi } from './admin-api.js';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { cidrSchema, defineStrategy, type Strategy } from '@gatehouse-auth/core';
import { z } from 'zod';
import { buildPath, DEFAULT_PATH_LIMITS, type PathLimits } from './build-path.js';
import { presentedChain, type CertificateSource } from './certificate-source.js';
import { PreparedConfigCache, tlsCertConfigSchema, type TlsCertConfig } from './config.js';
import { OcspChecker, type OcspOptions } from './ocsp/checker.js';
import { assertSigner, type RequestSigner } from './ocsp/request.js';
import { urlProblem } from './ocsp/responders.js';
import { OID, parseCertificate, type ParsedCertificate } from './parse-certificate.js';
import { refusal } from './reasons.js';
import { tlsCertLoginSchema, tlsCertResponseSchema, type TlsCertLoginInput } from './schemas.js';

export const TLS_CERT_LOGIN_PATH = '/api/v1/auth/tls-cert-auth/login';

export interface TlsCertStrategyOptions {
  /**
   * Header a TLS-terminating proxy puts the client's URL-encoded PEM chain in, e.g. `x-ssl-client-cert` (nginx)
   * or `x-amzn-mtls-clientcert` (AWS ALB passthrough). Unset: only the TLS socket's chain is used.
   */
  certificateHeader?: string;
  /** CIDRs of the proxies whose `certificateHeader` is believed. Required with `certificateHeader`. */
  trustedProxies?: string[];
  /** Default 64 KiB: a chain of a few certificates is well under 16 KiB. */
  maxHeaderChars?: number;
  /** Certificates a client may present, leaf included. Default 8. */
  maxPresentedCertificates?: number;
  /** Bounds of the path search. */
  pathLimits?: Partial<PathLimits>;
  /** Prepared (parsed) identity configs kept in memory. Default 256. */
  configCacheSize?: number;
  /** Server-wide OCSP settings; identities turn OCSP on with `ocspEnabled`. */
  ocsp?: TlsCertOcspOptions;
}

export interface TlsCertOcspOptions {
  /** Per responder request (connect, send, answer). Default 3000 ms. At most 4 responders are asked per login. */
  timeoutMs?: number;
  /** Larger answers are refused (`ocsp_response_too_large`). Default 64 KiB. */
  maxResponseBytes?: number;
  /** Verified answers kept until their nextUpdate, keyed by issuer + serial + responder. Default 1024. */
  cacheSize?: number;
  /** Tolerance for thisUpdate in the future and nextUpdate in the past. Default 300 s. */
  clockSkewSeconds?: number;
  /**
   * When set, the only origins OCSP requests may go to (overrides and certificate URLs alike). Unset: servers
   * overrides as configured, and certificate URLs that are http(s), carry no credentials and do not point at
   * loopback, link-local, unspecified or multicast addresses or `localhost`.
   */
  allowedResponderOrigins?: string[];
  /** Certificate and key (PEM) to sign requests with, for responders that require signed requests. */
  requestSigner?: { certificate: string; privateKey: string };
  /** `when-required` (default): sign only after a responder answers sigRequired. `always`: sign every request. */
  signRequests?: 'when-required' | 'always';
}

const optionsSchema = z
  .strictObject({
    certificateHeader: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
      .optional(),
    trustedProxies: z.array(cidrSchema).max(256).default([]),
    maxHeaderChars: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
    maxPresentedCertificates: z.number().int().min(1).max(32).default(8),
    pathLimits: z
      .strictObject({
        maxPathLength: z.number().int().min(2).max(16).optional(),
        maxSignatureChecks: z.number().int().min(1).max(256).optional(),
        maxSteps: z.number().int().min(1).max(4096).optional(),
      })
      .default({}),
    configCacheSize: z.number().int().min(1).max(100_000).default(256),
    ocsp: z
      .strictObject({
        timeoutMs: z.number().int().min(50).max(60_000).default(3000),
        maxResponseBytes: z.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
        cacheSize: z.number().int().min(1).max(1_000_000).default(1024),
        clockSkewSeconds: z.number().int().min(0).max(3600).default(300),
        allowedResponderOrigins: z
          .array(z.string().refine((url) => urlProblem(url) === undefined && new URL(url).origin === url.replace(/\/$/, ''), 'must be an http(s) origin such as http://ocsp.corp.example'))
          .max(256)
          .optional(),
        requestSigner: z.strictObject({ certificate: z.string().max(64 * 1024), privateKey: z.string().max(64 * 1024) }).optional(),
        signRequests: z.enum(['when-required', 'always']).default('when-required'),
      })
      .default({ timeoutMs: 3000, maxResponseBytes: 64 * 1024, cacheSize: 1024, clockSkewSeconds: 300, signRequests: 'when-required' }),
  })
  .refine((o) => o.certificateHeader === undefined || o.trustedProxies.length > 0, {
    message: 'certificateHeader needs trustedProxies: a header from anyone is a forged certificate',
    path: ['trustedProxies'],
  });

export function tlsCertStrategy(options: TlsCertStrategyOptions = {}): Strategy<TlsCertLoginInput, TlsCertConfig> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`tls-cert: ${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  const settings = parsed.data;
  const source: CertificateSource = {
    header: settings.certificateHeader?.toLowerCase(),
    trustedProxies: settings.trustedProxies,
    maxHeaderChars: settings.maxHeaderChars,
    maxCertificates: settings.maxPresentedCertificates,
  };
  const limits: PathLimits = { ...DEFAULT_PATH_LIMITS, ...stripUndefined(settings.pathLimits) };
  const configs = new PreparedConfigCache(settings.configCacheSize);
  const ocsp = new OcspChecker(ocspOptions(settings.ocsp));

  return defineStrategy({
    id: 'tls-cert',
    route: { method: 'POST', path: TLS_CERT_LOGIN_PATH },
    dialect: 'infisical',
    requestSchema: tlsCertLoginSchema,
    responseSchema: tlsCertResponseSchema,
    configSchema: tlsCertConfigSchema,
    admin: tlsCertAdminApi,
    // Its identities may ask for tokens bound to the certificate (RFC 8705, `accessTokenCertificateBound`).
    clientCertificates: true,
    openapi: {
      summary: 'Login with TLS Certificate Auth for machine identity',
      description: 'The client certificate comes from the TLS connection (or a trusted proxy header); the body names the identity.',
      tags: ['TLS Certificate Auth'],
      operationId: 'loginWithTlsCertAuth',
    },
    async authenticate(input, ctx) {
      // The certificate is read before the identity is looked up: without one, every identity id answers alike.
      const presented = presentedChain(ctx.request, source, ctx.logger);
      const [leaf, ...intermediates] = parseAll(presented.certificates);

      const { identity, method } = await ctx.identityMethod(input.identityId, input.organizationSlug === undefined ? undefined : { organizationSlug: input.organizationSlug });
      const config = configs.get(method.config as TlsCertConfig);
      const result = buildPath(
        { leaf: leaf!, intermediates: distinct(leaf!, intermediates), anchors: config.anchors, crls: config.crls, now: ctx.clock.now() },
        limits,
      );
      if (!result.ok) {
        if (result.detail !== undefined) ctx.logger.info({ reasonCode: result.reason, detail: result.detail }, 'client certificate path refused');
        throw refusal(result.reason);
      }

      if (leaf!.basicConstraints?.cA) throw refusal('ca_as_leaf');
      if (!leaf!.extKeyUsage?.includes(OID.clientAuth)) throw refusal('missing_client_auth_eku');
      if (config.allowCommonName && !leaf!.commonNames.some((cn) => config.allowCommonName!(cn))) throw refusal('cn_not_allowed');
      if (config.allowSubjectAltNames && !config.allowSubjectAltNames(leaf!.subjectAltNames)) throw refusal('san_not_allowed');

      // OCSP last: no outbound call for a certificate that is refused anyway.
      let ocspAudit: Record<string, unknown> = {};
      if (config.ocsp) {
        const verdict = await ocsp.check(leaf!, result.chain[1]!, config.ocsp, { http: ctx.http, clock: ctx.clock, logger: ctx.logger });
        if (verdict.outcome === 'revoked') throw refusal('certificate_revoked');
        if (verdict.outcome === 'unverified') {
          const detail = { reasonCode: verdict.reason, ...(verdict.detail === undefined ? {} : { detail: verdict.detail }), serial: leaf!.serial };
          if (!config.ocsp.failOpen) {
            ctx.logger.info(detail, 'OCSP could not confirm the client certificate; refused (fail closed)');
            throw refusal(verdict.reason);
          }
          ctx.logger.warn(detail, 'OCSP could not confirm the client certificate; admitted (fail open)');
          ocspAudit = { ocsp: 'unverified', ocspWarning: verdict.reason };
        } else {
          ocspAudit = { ocsp: 'good', ocspCached: verdict.cached };
        }
      }

      return {
        kind: 'authenticated',
        subject: { type: 'identity', id: identity.id },
        token: method.token,
        clientCertificate: leaf!.der,
        audit: {
          certificateSource: presented.source,
          commonName: leaf!.commonNames[0]?.slice(0, 256),
          serial: leaf!.serial,
          issuer: result.chain[1]!.x509.subject.slice(0, 512),
          ...ocspAudit,
        },
      };
    },
  });
}

function ocspOptions(settings: z.output<typeof optionsSchema>['ocsp']): OcspOptions {
  let requestSigner: RequestSigner | undefined;
  if (settings.requestSigner) {
    try {
      requestSigner = { certificate: new X509Certificate(settings.requestSigner.certificate), privateKey: createPrivateKey(settings.requestSigner.privateKey) };
      assertSigner(requestSigner);
    } catch (err) {
      throw new Error(`tls-cert: ocsp.requestSigner: ${(err as Error).message}`);
    }
  }
  if (settings.signRequests === 'always' && !requestSigner) throw new Error('tls-cert: ocsp.signRequests: "always" needs ocsp.requestSigner');
  return {
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    cacheSize: settings.cacheSize,
    clockSkewMs: settings.clockSkewSeconds * 1000,
    allowedResponderOrigins: settings.allowedResponderOrigins ? new Set(settings.allowedResponderOrigins.map((o) => new URL(o).origin)) : undefined,
    requestSigner,
    signRequests: settings.signRequests,
  };
}

function parseAll(certificates: Buffer[]): ParsedCertificate[] {
  try {
    return certificates.map((der) => parseCertificate(der));
  } catch {
    throw refusal('malformed_certificate');
  }
}

/** Presented intermediates without repeats and without the leaf itself (both only cost search steps). */
function distinct(leaf: ParsedCertificate, intermediates: ParsedCertificate[]): ParsedCertificate[] {
  const seen = [leaf.der];
  return intermediates.filter((cert) => {
    if (seen.some((der) => der.equals(cert.der))) return false;
    seen.push(cert.der);
    return true;
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
