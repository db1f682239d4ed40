// What binding costs a resource server per request: verifying an unbound token (offline), a DPoP-bound token
// with its proof (signature, claims, ath, thumbprint; the replay claim stubbed so only the checks are timed),
// and the same with the in-memory replay store's claim. Proofs are made beforehand, one per iteration.
import { Bench } from 'tinybench';
import { generateKeyPair, generateProof, calculateThumbprint } from 'dpop';
import { createGatehouse, createMemoryStores } from '@gatehouse-auth/core';

const URL_ = 'https://api.bench/things';

export async function run({ time = 1500 } = {}) {
  const rows = [];
  for (const alg of ['ES256', 'Ed25519']) {
    const stores = createMemoryStores();
    const claim = stores.replay.claim.bind(stores.replay);
    let stubbed = true;
    stores.replay.claim = (...args) => (stubbed ? Promise.resolve(true) : claim(...args));
    const gh = createGatehouse({ stores, issuer: { issuer: 'https://auth.bench', audience: 'api' } });
    const key = await generateKeyPair(alg);
    const subject = { type: 'identity', id: 'bench' };
    const plain = await gh.issuer.issue({ subject, authMethod: 'bench', clientIp: '127.0.0.1' });
    const bound = await gh.issuer.issue({ subject, authMethod: 'bench', clientIp: '127.0.0.1', cnf: { jkt: await calculateThumbprint(key.publicKey) } });
    const proofs = [];
    for (let i = 0; i < 40_000; i++) proofs.push(await generateProof(key, URL_, 'GET', undefined, bound.token));
    let next = 0;
    const presentation = () => ({ scheme: 'DPoP', method: 'GET', urls: [URL_], dpop: proofs[next++ % proofs.length] });
    const bench = new Bench({ time, warmupTime: 300 });
    bench
      .add(`unbound token, offline (EdDSA token)`, async () => {
        await gh.issuer.verify(plain.token, { stateful: 'none' });
      })
      .add(`DPoP-bound token + ${alg} proof, offline, replay claim stubbed`, async () => {
        stubbed = true;
        await gh.issuer.verify(bound.token, { stateful: 'none', presentation: presentation() });
      })
      .add(`DPoP-bound token + ${alg} proof, offline, memory replay store`, async () => {
        stubbed = false;
        await gh.issuer.verify(bound.token, { stateful: 'none', presentation: presentation() });
      });
    await bench.run();
    const base = bench.tasks[0].result.throughput.mean;
    for (const t of bench.tasks) {
      const r = t.result;
      rows.push({ name: t.name, opsPerSec: Math.round(r.throughput.mean), p99us: +(r.latency.p99 * 1000).toFixed(1), vsUnbound: +(r.throughput.mean / base).toFixed(3) });
    }
    await gh.close();
  }
  return rows;
}
