// OCSP for a leaf whose path already verified: ask the responders (the certificate's or the identity's
// override), through ctx.http (timeout, no redirects, size cap), judge the answer, cache what may be cached.
// The result is good, revoked, or unverified with the reason — what to do with "unverified" (fail open or
// closed) is the identity's setting, decided by the caller.
import { randomBytes } from 'node:crypto';
import { AuthError, type Clock, type Logger, type OutboundHttp } from '@gatehouse-auth/core';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import type { ParsedCertificate } from '../parse-certificate.js';
import { OcspCache } from './cache.js';
import { certIdentity, type CertIdentity } from './cert-id.js';
import { buildRequest, type RequestSigner } from './request.js';
import { chooseResponders } from './responders.js';
import { judgeResponse, type OcspAnswer, type OcspFailure } from './response.js';

/** Per identity, as Vault's cert auth (`ocsp_enabled`, `ocsp_fail_open`, `ocsp_servers_override`, …). */
export interface OcspSettings {
  failOpen: boolean;
  serversOverride: readonly string[];
  queryAllServers: boolean;
  nonce: boolean;
  /** Seconds; 0: only nextUpdate limits an answer's age. */
  thisUpdateMaxAge: number;
}

/** Server-wide. */
export interface OcspOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  cacheSize: number;
  clockSkewMs: number;
  allowedResponderOrigins: ReadonlySet<string> | undefined;
  requestSigner: RequestSigner | undefined;
  signRequests: 'when-required' | 'always';
}

export type OcspVerdict =
  | { outcome: 'good'; responders: number; cached: boolean }
  | { outcome: 'revoked' }
  | { outcome: 'unverified'; reason: OcspFailure; detail?: string };

/** No client abort signal: one answer may serve several concurrent logins, so one client leaving must not fail it. */
export interface OcspContext {
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
}

type Answer = OcspAnswer & { cached?: boolean };

const UPSTREAM: Record<string, OcspFailure> = {
  upstream_timeout: 'ocsp_timeout',
  upstream_too_large: 'ocsp_response_too_large',
  upstream_host_not_allowed: 'ocsp_responder_not_allowed',
};

export class OcspChecker {
  readonly #cache: OcspCache;
  readonly #inFlight = new Map<string, Promise<Answer>>();

  constructor(private readonly options: OcspOptions) {
    this.#cache = new OcspCache(options.cacheSize);
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  async check(cert: ParsedCertificate, issuer: ParsedCertificate, settings: OcspSettings, ctx: OcspContext): Promise<OcspVerdict> {
    const choice = chooseResponders(cert.ocspUrls, settings.serversOverride, { allowedOrigins: this.options.allowedResponderOrigins });
    if (choice.skipped.length > 0) ctx.logger.warn({ skipped: choice.skipped, source: choice.source }, 'OCSP responder URLs not used');
    if (choice.urls.length === 0) {
      return { outcome: 'unverified', reason: 'ocsp_no_responder', detail: choice.skipped.length > 0 ? 'every responder URL was refused' : 'the certificate names no OCSP responder' };
    }
    const id = certIdentity(cert, issuer);
    const ask = (url: string) => this.#ask(url, id, issuer, settings, ctx);

    if (settings.queryAllServers) {
      const answers = await Promise.all(choice.urls.map(ask));
      if (answers.some((a) => a.kind === 'status' && a.status === 'revoked')) return { outcome: 'revoked' };
      const failure = answers.find((a) => a.kind === 'failure');
      if (failure?.kind === 'failure') return unverified(failure);
      return { outcome: 'good', responders: answers.length, cached: answers.every((a) => a.cached === true) };
    }
    let first: Extract<OcspAnswer, { kind: 'failure' }> | undefined;
    for (const url of choice.urls) {
      const answer = await ask(url);
      if (answer.kind === 'status') return answer.status === 'revoked' ? { outcome: 'revoked' } : { outcome: 'good', responders: 1, cached: answer.cached === true };
      first ??= answer;
    }
    return unverified(first!);
  }

  async #ask(url: string, id: CertIdentity, issuer: ParsedCertificate, settings: OcspSettings, ctx: OcspContext): Promise<Answer> {
    const key = `${id.cacheKey}|${url}`;
    const maxAgeMs = settings.thisUpdateMaxAge * 1000;
    // A nonce asks for a fresh answer, so identities that send one never take a cached answer.
    if (!settings.nonce) {
      const now = ctx.clock.now();
      const hit = this.#cache.get(key, now);
      if (hit && (maxAgeMs === 0 || now.getTime() - hit.thisUpdate.getTime() <= maxAgeMs)) return { kind: 'status', ...hit, cached: true };
      const pending = this.#inFlight.get(key);
      if (pending) return pending;
    }
    const run = this.#fetch(url, id, issuer, settings, ctx, maxAgeMs).then((answer) => {
      if (answer.kind === 'status' && answer.nextUpdate) this.#cache.set(key, { status: answer.status, thisUpdate: answer.thisUpdate, nextUpdate: answer.nextUpdate });
      return answer;
    });
    if (settings.nonce) return run;
    this.#inFlight.set(key, run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #fetch(url: string, id: CertIdentity, issuer: ParsedCertificate, settings: OcspSettings, ctx: OcspContext, maxAgeMs: number): Promise<OcspAnswer> {
    const signer = this.options.requestSigner;
    const exchange = async (signed: boolean) => {
      const nonce = settings.nonce ? randomBytes(32) : undefined;
      const body = buildRequest(id, { ...(nonce ? { nonce } : {}), ...(signed && signer ? { signer } : {}) });
      let der: Buffer;
      try {
        const res = await ctx.http.request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          body,
          timeoutMs: this.options.timeoutMs,
          maxResponseBytes: this.options.maxResponseBytes,
        });
        // Redirects are not followed (ctx.http): a 3xx is an answer we cannot use, like any other non-200.
        if (res.status !== 200) return { kind: 'failure', reason: 'ocsp_http_error', detail: `HTTP ${res.status}` } as const;
        der = res.body;
      } catch (err) {
        const reason = err instanceof AuthError ? (UPSTREAM[err.reasonCode] ?? 'ocsp_unavailable') : 'ocsp_unavailable';
        return { kind: 'failure', reason } as const;
      }
      return judgeResponse({
        der,
        id,
        issuer,
        nonce: nonce ? Buffer.from(AsnConvert.serialize(new OctetString(nonce))) : undefined,
        now: ctx.clock.now(),
        skewMs: this.options.clockSkewMs,
        maxAgeMs,
      });
    };
    const alwaysSign = this.options.signRequests === 'always' && signer !== undefined;
    let answer = await exchange(alwaysSign);
    // The responder wants a signed request (RFC 6960 sigRequired): sign it, once, if a signer is configured.
    if (answer.kind === 'sig_required' && signer && !alwaysSign) answer = await exchange(true);
    if (answer.kind === 'sig_required') return { kind: 'failure', reason: 'ocsp_error_response', detail: signer ? 'sigRequired (signed request refused)' : 'sigRequired (no requestSigner configured)' };
    return answer;
  }
}

function unverified(failure: Extract<OcspAnswer, { kind: 'failure' }>): OcspVerdict {
  return failure.detail === undefined ? { outcome: 'unverified', reason: failure.reason } : { outcome: 'unverified', reason: failure.reason, detail: failure.detail };
}
