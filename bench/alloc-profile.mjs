// Where an upstream login's garbage comes from: `node bench/alloc-profile.mjs <alicloud|oci> [seconds]`.
// Starts the emulator and the Gatehouse bench server (as upstream.bench.mjs does), warms up, then samples every
// allocation (collected objects included) during paced logins and prints bytes per login by site.
import { buildAlicloudLoginBody, buildOciLoginBody } from '@gatehouse-auth/client';
import { createOciTestUser, randomOcid } from '@gatehouse-auth/testing/oci';
import { ALICLOUD_KEY, IDENTITY_ID, OCI_REGION, startServer } from './servers/upstream-common.mjs';
import { createPacedLoad } from './servers/upstream-load.mjs';

const [kind = 'alicloud', seconds = '6'] = process.argv.slice(2);
const rate = Number(process.env.UPSTREAM_RATE ?? 400);
process.env.GATEHOUSE_ALLOC_PROFILE = '1';
let emulatorConfig, gatehouseConfig, path, body;
if (kind === 'alicloud') {
  emulatorConfig = { kind };
  gatehouseConfig = { kind };
  path = '/api/v1/auth/alicloud-auth/login';
  body = () => JSON.stringify(buildAlicloudLoginBody({ identityId: IDENTITY_ID, accessKeyId: ALICLOUD_KEY.id, accessKeySecret: ALICLOUD_KEY.secret }));
} else {
  const tenancyId = randomOcid('tenancy');
  const user = createOciTestUser({ tenancyId, name: 'alloc' });
  emulatorConfig = { kind, users: [{ ...user, privateKeyPem: undefined }] };
  gatehouseConfig = { kind, tenancyOcid: tenancyId };
  path = '/api/v1/auth/oci-auth/login';
  const bodies = [];
  for (let s = 0; s < 64; s++) bodies.push(JSON.stringify(await buildOciLoginBody({ identityId: IDENTITY_ID, userOcid: user.id, tenancyOcid: tenancyId, fingerprint: user.fingerprint, privateKeyPem: user.privateKeyPem, region: OCI_REGION, now: new Date(Date.now() - s * 1000) })));
  let i = 0;
  body = () => bodies[i++ % bodies.length];
}
const emulator = await startServer('upstream-emulator.mjs', emulatorConfig);
// BARE=1: the hand-written relay (bench/servers/upstream-bare.mjs) instead of Gatehouse, for the floor.
const bare = Boolean(process.env.BARE);
const gatehouse = await startServer(bare ? 'upstream-bare.mjs' : 'upstream-gatehouse.mjs', { ...gatehouseConfig, emulatorUrl: emulator.origin });
if (bare) path = '/login';
const load = createPacedLoad(gatehouse.origin, 50);
try {
  const pool = (n) => Array.from({ length: n }, body);
  const warm = pool(rate * 6);
  await load.run({ rate, seconds: 6, next: (i) => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: warm[i] }) });
  const timed = pool(rate * Number(seconds));
  await gatehouse.ask('allocStart');
  const r = await load.run({ rate, seconds: Number(seconds), next: (i) => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: timed[i] }) });
  const { total, sites, packages } = await gatehouse.ask('allocStop');
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors: ${r.firstFailure}`);
  console.log(`${kind}${bare ? ' (bare relay)' : ''}: ${r.total} logins, ~${(total / r.total / 1024).toFixed(1)} KB allocated per login (sampled)`);
  console.log('\nby package of the allocating function:');
  for (const [pkg, bytes] of packages) console.log(`${(bytes / r.total).toFixed(0).padStart(6)} B  ${pkg}`);
  console.log('\ntop sites (caller < caller < allocating function):');
  for (const [site, bytes] of sites.slice(0, Number(process.env.SITES ?? 25))) console.log(`${(bytes / r.total).toFixed(0).padStart(6)} B  ${site}`);
} finally {
  await load.close();
  await Promise.all([gatehouse.stop(), emulator.stop()]);
}
