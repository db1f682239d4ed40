// Token verification, side by side in one process: the raw signature check Gatehouse's verifier rests on
// (node:crypto over the token's signing input), Gatehouse's synchronous offline verifier (`issuer.verifySync`),
// its async `verify` (offline, and with the memory store's session check), fast-jwt, jose and jsonwebtoken.
// Interleaved rounds timed in CPU time (bench/interleave.mjs); ratios are taken within each round.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { createGatehouse } from '@gatehouse-auth/core';
import { interleaved, median, quartiles } from './interleave.mjs';

export async function run({ rounds = Number(process.env.TOKENS_ROUNDS ?? 15), sliceMs = Number(process.env.TOKENS_SLICE_MS ?? 60) } = {}) {
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
    const rawKey = alg === 'EdDSA' ? pubKeyObject : { key: pubKeyObject, dsaEncoding: 'ieee-p1363' };
    const fast = createVerifier({ key: pem, algorithms: [alg], allowedIss: 'https://auth.bench', allowedAud: 'api', cache: false });
    // Every contender must accept the token (and the raw check its signature) before anything is timed.
    const tasks = [
      { name: `raw signature check (node:crypto ${alg})`, fn: () => { if (!cryptoVerify(alg === 'EdDSA' ? null : 'sha256', data, rawKey, sig)) throw new Error('bad'); } },
      { name: `gatehouse verifySync, offline (${alg})`, fn: () => gh.issuer.verifySync(token) },
      { name: `fast-jwt, no cache (${alg})`, fn: () => fast(token) },
      { name: `gatehouse verify (async), offline (${alg})`, async: true, fn: () => gh.issuer.verify(token, { stateful: 'none' }) },
      { name: `gatehouse verify + session check, memory store (${alg})`, async: true, fn: () => gh.issuer.verify(token, { stateful: 'check' }) },
      { name: `jose jwtVerify (${alg})`, async: true, fn: () => jwtVerify(token, joseKey, { algorithms: [alg], issuer: 'https://auth.bench', audience: 'api' }) },
    ];
    if (alg === 'ES256') {
      tasks.push({ name: `jsonwebtoken (${alg})`, fn: () => jsonwebtoken.verify(token, pem, { algorithms: [alg], issuer: 'https://auth.bench', audience: 'api' }) });
    }
    for (const t of tasks) await t.fn();
    const results = await interleaved(tasks, { rounds, sliceMs });
    const fastJwt = results[2];
    for (const r of results) {
      // Against fast-jwt: each round's ratio to raw over fast-jwt's in the same round.
      const vsFast = r.ratios.map((x, k) => x / fastJwt.ratios[k]);
      rows.push({
        name: r.name,
        'ops/CPU-s': Math.round(r.rate),
        vsRaw: +r.ratio.toFixed(3),
        'vsRaw, middle half of rounds': quartiles(r.ratios),
        'vs fast-jwt': r === fastJwt ? '' : +median(vsFast).toFixed(3),
        'rounds ahead of fast-jwt': r === fastJwt ? '' : `${vsFast.filter((x) => x > 1).length}/${vsFast.length}`,
      });
    }
    await gh.close();
  }
  return rows;
}
