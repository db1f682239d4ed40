/** The caller's side of the signed-request strategy: a new secret for an identity, and signed login bodies. */
import { randomBytes } from 'node:crypto';
import { signWith, type SignedRequestConfig, type SignedRequestLogin } from './signed-request-strategy.js';

/** A new signing secret and the config to attach; hand the secret to the machine once. */
export function generateSigningSecret(): { secret: string; config: SignedRequestConfig } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, config: { secret } };
}

export interface SignOptions {
  identityId: string;
  secret: string;
  /** When the body is signed (default: now). Seconds resolution, as the server reads it. */
  now?: Date;
  /** Default: 18 random bytes, base64url. */
  nonce?: string;
  label?: string;
}

/** A login body for `POST /api/v1/auth/signed-request/login`. */
export function signLoginRequest(options: SignOptions): SignedRequestLogin {
  const timestamp = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const unsigned = { identityId: options.identityId, timestamp, nonce: options.nonce ?? randomBytes(18).toString('base64url') };
  return { ...unsigned, signature: signWith(options.secret, unsigned).toString('hex'), ...(options.label !== undefined ? { label: options.label } : {}) };
}
