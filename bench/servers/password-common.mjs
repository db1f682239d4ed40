// Password login, three ways, at equal hashing cost: argon2id 19 MiB, t=2, p=1 (@node-rs/argon2) everywhere.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
export const USER = { username: 'operator', email: 'operator@bench.test', password: 'correct horse battery staple' };
/** Logins rotate over many users: one user's concurrent attempts would (rightly) hit Gatehouse's lockout. */
export const USERS = Array.from({ length: 64 }, (_, i) => ({ username: `operator${i}`, email: `operator${i}@bench.test`, password: USER.password }));
export const argon2Hash = (password) => hash(password, { algorithm: 2, ...ARGON2 });
export const argon2Verify = (phc, password) => verify(phc, password);

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const { privateKey } = generateKeyPairSync('ed25519');
/** A signed access token, as Gatehouse issues one, so every contender does the same cryptography. */
export function signToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'EdDSA', kid: 'k', typ: 'at+jwt' })}.${b64({ sub, jti: randomBytes(16).toString('base64url'), iat: now, exp: now + 28_800 })}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}
