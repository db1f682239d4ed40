// The floor for an upstream login on this stack: a hand-written Fastify route that does only what any relay must —
// parse the JSON body, rebuild the signed GET (alicloud: the sorted, percent-encoded query; oci: the signed
// headers), send it through a pooled undici Agent with a timeout and a size cap, parse the answer, and sign a
// token (Ed25519, as bench/servers/common.mjs's bare login). No validation, no nonce or identity store, no audit.
// upstream.bench.mjs measures it beside Gatehouse: what it allocates and adds at p99 is what Node's HTTP server,
// Fastify and undici cost before any auth logic runs.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { percentEncode } from '@gatehouse-auth/testing/sts';
import { allocationProfiler, config, processMonitor, serve } from './upstream-common.mjs';

const { kind, emulatorUrl } = config();
const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
const { privateKey } = generateKeyPairSync('ed25519');
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' });
const CAP = 64 * 1024;

async function relay(url, headers) {
  const res = await request(url, { method: 'GET', headers, dispatcher: agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
  const text = await res.body.text();
  if (text.length > CAP) throw new Error('too large');
  return { status: res.statusCode, body: JSON.parse(text) };
}

function token(subject) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${header}.${b64({ sub: subject, jti: randomBytes(16).toString('base64url'), iat: now, exp: now + 3600 })}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

const app = Fastify();
app.post('/login', async (req, reply) => {
  const body = req.body;
  let upstream;
  if (kind === 'alicloud') {
    const { identityId: _identityId, ...signed } = body;
    const query = Object.keys(signed).sort().map((k) => `${percentEncode(k)}=${percentEncode(signed[k])}`).join('&');
    upstream = await relay(`${emulatorUrl}/?${query}`, { accept: 'application/json' });
  } else {
    const names = /headers="([^"]*)"/.exec(body.headers.authorization)[1].split(' ').filter((h) => h !== '(request-target)');
    const headers = { authorization: body.headers.authorization, accept: 'application/json' };
    for (const name of names) headers[name] = body.headers[name];
    upstream = await relay(`${emulatorUrl}/20160918/users/${encodeURIComponent(body.userOcid)}`, headers);
  }
  if (upstream.status !== 200) return reply.code(401).send({ message: 'refused' });
  const subject = kind === 'alicloud' ? upstream.body.Arn : upstream.body.id;
  return reply.header('cache-control', 'no-store').send({ accessToken: token(subject), expiresIn: 3600, tokenType: 'Bearer' });
});
const port = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port;
const monitor = processMonitor();
serve(Number(port), { stats: () => monitor.read(), ...(process.env.GATEHOUSE_ALLOC_PROFILE ? await allocationProfiler() : {}) });
