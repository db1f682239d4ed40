/**
 * The small strategies the adapter conformance suite mounts: one per dialect, each able to produce every
 * outcome and error class on demand (`mode`), and to echo what reached `ctx.request` (client address, TLS
 * peer chain, abort signal) so the suite can check the adapter's translation from the outside.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { AuthError, defineStrategy, type DialectName, type Strategy } from '@gatehouse-auth/core';

export const CONFORMANCE_MODES = [
  'ok', 'unauthenticated', 'forbidden', 'not_found', 'rate_limited', 'internal', 'upstream', 'unavailable',
  'redirect', 'cookies', 'whoami', 'hang',
] as const;
export type ConformanceMode = (typeof CONFORMANCE_MODES)[number];

/** Where each dialect's conformance login lives: inside that API family's namespace. */
export const CONFORMANCE_ROUTES: Record<DialectName, string> = {
  infisical: '/api/v1/auth/conformance/login',
  ece: '/api/v1/users/auth/_conformance',
  bytebase: '/v1/auth/conformance/login',
};

/** A marker that must never reach a client: it is in the message of the `internal` mode's exception. */
export const LEAKED_SECRET = 'conformance-secret-4f1d9c';

/** Public messages the strategies throw with, so the suite can expect them exactly. */
export const STRATEGY_MESSAGES = {
  unauthenticated: 'Invalid conformance credentials',
  forbidden: 'Conformance access denied',
  not_found: 'Conformance identity not found',
} as const;

export const TWO_COOKIES = [
  { name: 'a', value: '1', httpOnly: true, secure: true, sameSite: 'strict' as const, path: '/' },
  { name: 'b', value: 'two words', maxAge: 60, path: '/api' },
];
export const REDIRECT_LOCATION = '/next?state=a%20b';

export interface WhoAmI {
  clientIp: string;
  socketAddress: string;
  protocol: 'http' | 'https';
  peerCertificates: number;
  /** sha256 hex of each DER certificate, leaf first. */
  fingerprints: string[];
  leafSubject: string | null;
  method: string;
  path: string;
}

/** Hooks the `hang` mode reports through, so the suite can see the abort signal fire. */
export interface HangProbe {
  started(): void;
  aborted(): void;
  missingSignal(): void;
}

export const conformanceRequestSchema = z.strictObject({
  mode: z.enum(CONFORMANCE_MODES).default('ok'),
  user: z.string().min(1).max(64).default('conformance-user'),
  /** Padding, so the suite can build bodies of an exact size. */
  pad: z.string().max(200_000).optional(),
  ttl: z.number().int().min(1).max(3600).optional(),
  uses: z.number().int().min(0).max(100).optional(),
  trustedIps: z.array(z.string().max(64)).max(4).optional(),
  /** The identity requires DPoP (`accessTokenRequireDpop`). */
  dpopRequired: z.boolean().optional(),
  /** Bind the token to the TLS client certificate (`accessTokenCertificateBound`, RFC 8705). */
  certificateBound: z.boolean().optional(),
});

export function conformanceStrategy(dialect: DialectName, probe: HangProbe): Strategy<z.output<typeof conformanceRequestSchema>> {
  return defineStrategy({
    id: `conformance-${dialect}`,
    route: { method: 'POST', path: CONFORMANCE_ROUTES[dialect] },
    dialect,
    requestSchema: conformanceRequestSchema,
    responseSchema: z.looseObject({}),
    clientCertificates: true,
    async authenticate(input, ctx) {
      switch (input.mode) {
        case 'ok':
          return {
            kind: 'authenticated',
            subject: { type: 'user', id: input.user, claims: { email: `${input.user}@example.test` } },
            token: {
              accessTokenTTL: input.ttl ?? 600,
              accessTokenMaxTTL: 3600,
              accessTokenNumUsesLimit: input.uses ?? 0,
              ...(input.trustedIps ? { accessTokenTrustedIps: input.trustedIps } : {}),
              ...(input.dpopRequired ? { accessTokenRequireDpop: true } : {}),
              ...(input.certificateBound ? { accessTokenCertificateBound: true } : {}),
            },
            ...(ctx.request.peerCertificates[0] ? { clientCertificate: ctx.request.peerCertificates[0] } : {}),
          };
        case 'unauthenticated':
          throw new AuthError({ kind: 'unauthenticated', reasonCode: 'conformance_refused', message: STRATEGY_MESSAGES.unauthenticated });
        case 'forbidden':
          throw new AuthError({ kind: 'forbidden', reasonCode: 'conformance_forbidden', message: STRATEGY_MESSAGES.forbidden });
        case 'not_found':
          throw new AuthError({ kind: 'not_found', reasonCode: 'conformance_not_found', message: STRATEGY_MESSAGES.not_found });
        case 'rate_limited':
          throw new AuthError({ kind: 'rate_limited', reasonCode: 'conformance_limited', retryAfter: 30 });
        case 'internal':
          throw new Error(`database password ${LEAKED_SECRET} leaked`);
        case 'upstream':
          throw new AuthError({ kind: 'upstream_failed', reasonCode: 'conformance_upstream' });
        case 'unavailable':
          throw new AuthError({ kind: 'unavailable', reasonCode: 'conformance_unavailable' });
        case 'redirect':
          return { kind: 'redirect', location: REDIRECT_LOCATION, status: 302 };
        case 'cookies':
          return { kind: 'challenge', body: { mfaTempToken: 'conformance-temp' }, cookies: TWO_COOKIES };
        case 'whoami':
          return { kind: 'reply', reply: { body: whoami(ctx.request) } };
        case 'hang':
          return hang(ctx.request.signal, probe);
      }
    },
  });
}

function whoami(request: Parameters<Strategy['authenticate']>[1]['request']): WhoAmI {
  const leaf = request.peerCertificates[0];
  return {
    clientIp: request.clientIp,
    socketAddress: request.socketAddress,
    protocol: request.protocol,
    peerCertificates: request.peerCertificates.length,
    fingerprints: request.peerCertificates.map((der) => createHash('sha256').update(der).digest('hex')),
    leafSubject: leaf ? new X509Certificate(leaf).subject : null,
    method: request.method,
    path: request.path,
  };
}

/** Waits for the client to go away; the suite checks the signal fired. */
async function hang(signal: AbortSignal | undefined, probe: HangProbe): Promise<never> {
  if (!signal) {
    probe.missingSignal();
    throw new AuthError({ kind: 'internal', reasonCode: 'no_signal' });
  }
  probe.started();
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  probe.aborted();
  throw new AuthError({ kind: 'bad_request', reasonCode: 'client_gone' });
}
