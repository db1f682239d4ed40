// Token verification, side by side in one process: Gatehouse's verifier (offline mode: signature + claims),
// jose's jwtVerify alone, the raw signature check it rests on (node:crypto), fast-jwt and jsonwebtoken.
import { createPublicKey, createPrivateKey, verify as cryptoVerify } from 'node:crypto';
import { Bench } from 'tinybench';
import { importJWK, jwtVerify } from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { createGatehouse } from '@gatehouse-auth/core';

export async function run({ time = 1500 } = {}) {
  const rows = [];
  for (const alg of ['EdDSA', 'ES256']) {
    const gh = createGatehouse({ issuer: { algorithm: alg, issuer: 'https://auth.bench', audience: 'api' } });
    const issued = await gh.issuer.issue({ subject: { type: 'identity', id: 'bench' }, authMethod: 'bench', clientIp: '127.0.0.1' });
    const [stored] = await gh.stores.keys.list();
    const pubKeyObject = createPublicKey({ key: stored.publicJwk, format: 'jwk' });
    const pem = pubKeyObject.export({ type: 'spki', format: 'pem' });
    const joseKey = await importJWK(stored.publicJwk, alg);
    const token = issued.token;
    const [h, p, s] = token.split('.');
    const data = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, 'base64url');
    const fast = createVerifier({ key: pem, algorithms: [alg], allowedIss: 'https://auth.bench', allowedAud: 'api', cache: false });
    const bench = new Bench({ time, warmupTime: 300 });
    bench
      .add(`raw signature check (node:crypto ${alg})`, () => {
        if (!cryptoVerify(alg === 'EdDSA' ? null : 'sha256', data, alg === 'EdDSA' ? pubKeyObject : { key: pubKeyObject, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('bad');
      })
      .add(`jose jwtVerify (${alg})`, async () => {
        await jwtVerify(token, joseKey, { algorithms: [alg], issuer: 'https://auth.bench', audience: 'api' });
      })
      .add(`gatehouse verify, offline (${alg})`, async () => {
        await gh.issuer.verify(token, { stateful: 'none' });
      })
      .add(`gatehouse verify + session check, memory store (${alg})`, async () => {
        await gh.issuer.verify(token, { stateful: 'check' });
      })
      .add(`fast-jwt, no cache (${alg})`, () => {
        fast(token);
      });
    if (alg === 'ES256') {
      bench.add(`jsonwebtoken (${alg})`, () => {
        jsonwebtoken.verify(token, pem, { algorithms: [alg], issuer: 'https://auth.bench', audience: 'api' });
      });
    }
    await bench.run();
    const base = bench.tasks[0].result.throughput.mean;
    for (const t of bench.tasks) {
      const r = t.result;
      rows.push({ name: t.name, opsPerSec: Math.round(r.throughput.mean), p99us: +(r.latency.p99 * 1000).toFixed(1), vsRaw: +(r.throughput.mean / base).toFixed(3) });
    }
    await gh.close();
  }
  return rows;
}
