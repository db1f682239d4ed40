// Shared by the throughput servers: one identity with an API key, and the hand-written "same cryptography"
// login (SHA-256 + constant-time compare + EdDSA-signed JWT + a session record) the adapters are compared to.
import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { createGatehouse } from '@gatehouse-auth/core';
import { apiKeyStrategy, hashApiKey } from '@gatehouse-auth/example-custom-strategy';

export const API_KEY = `ghk_${'A'.repeat(43)}`;
export const IDENTITY_ID = '00000000-0000-4000-8000-000000000001';

/**
 * `telemetry: false`: the telemetry code path bypassed (`telemetry: { enabled: false }`); `ed25519Signer:
 * 'node:crypto'`: tokens signed by node:crypto even though sodium-native is installed. Each for its side-by-side row.
 */
export async function benchGatehouse({ telemetry = true, ed25519Signer = 'auto' } = {}) {
  const gatehouse = createGatehouse({
    strategies: [apiKeyStrategy()],
    tokenRoutes: true,
    issuer: { ed25519Signer },
    ...(telemetry ? {} : { telemetry: { enabled: false } }),
  });
  await gatehouse.admin.createIdentity({ id: IDENTITY_ID, name: 'bench' });
  await gatehouse.admin.attachMethod(IDENTITY_ID, 'api-key', { keyHash: hashApiKey(API_KEY) });
  return gatehouse;
}

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * The baseline: what a careful hand-written handler does for the same login, without Gatehouse — and written
 * for speed (node:crypto Ed25519 directly, no JWT library), so the comparison flatters nobody.
 */
export async function bareLogin() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const stored = Buffer.from(hashApiKey(API_KEY), 'hex');
  const sessions = new Map();
  return async function login(body) {
    if (!body || typeof body.identityId !== 'string' || typeof body.apiKey !== 'string' || body.identityId !== IDENTITY_ID) {
      return { status: 401, body: { message: 'Invalid API key' } };
    }
    const given = createHash('sha256').update(body.apiKey).digest();
    if (!timingSafeEqual(given, stored)) return { status: 401, body: { message: 'Invalid API key' } };
    const jti = randomBytes(16).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    sessions.set(jti, { uses: 0, exp: now + 2_592_000 });
    if (sessions.size > 100_000) sessions.clear();
    const input = `${b64({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })}.${b64({
      sub_type: 'identity', auth_method: 'api-key', iss: 'gatehouse', aud: 'gatehouse', sub: IDENTITY_ID, jti, iat: now, nbf: now, exp: now + 2_592_000,
    })}`;
    const accessToken = `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
    return { status: 200, body: { accessToken, expiresIn: 2_592_000, accessTokenMaxTTL: 2_592_000, tokenType: 'Bearer' } };
  };
}

/**
 * Reports the port to the parent, answers `cpu` with this process's CPU time (what a login costs the server,
 * which a busy machine distorts far less than throughput), and exits on disconnect (rather than being killed)
 * so a --cpu-prof run writes its profile.
 */
export function ready(port) {
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port });
}

/** The mode a bench server was started in: `gatehouse`, `gatehouse-no-telemetry`, `gatehouse-node-crypto` or `bare`. */
export function mode() {
  return process.argv[2] ?? 'gatehouse';
}

export function gatehouseForMode() {
  return benchGatehouse({ telemetry: mode() !== 'gatehouse-no-telemetry', ed25519Signer: mode() === 'gatehouse-node-crypto' ? 'node:crypto' : 'auto' });
}
