import express from 'express';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { toNodeHandler } from 'better-auth/node';
import { USERS, argon2Hash, argon2Verify } from './password-common.mjs';
import { ready } from './common.mjs';

const db = { user: [], session: [], account: [], verification: [] };
const auth = betterAuth({
  secret: 'bench-secret-bench-secret-bench-secret',
  baseURL: 'http://127.0.0.1',
  database: memoryAdapter(db),
  emailAndPassword: { enabled: true, password: { hash: argon2Hash, verify: ({ hash, password }) => argon2Verify(hash, password) } },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  advanced: { disableCSRFCheck: true, disableOriginCheck: true },
});
for (const u of USERS) await auth.api.signUpEmail({ body: { email: u.email, password: u.password, name: u.username } });
const app = express();
app.all('/api/auth/*splat', toNodeHandler(auth));
const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
