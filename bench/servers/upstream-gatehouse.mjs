// Fastify + @gatehouse-auth/fastify with one upstream strategy pointed at an emulator in another process.
// Default options everywhere (pooled outbound client, in-memory stores) except what the emulator needs:
// alicloud's `stsEndpoints` names the emulator; oci's `relayOverride` sends the signed GET for the real
// identity host to it, and `replayProtection` is off (see upstream.bench.mjs).
import Fastify from 'fastify';
import { createGatehouse } from '@gatehouse-auth/core';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { allocationProfiler, config, processMonitor, serve, ALICLOUD_KEY, IDENTITY_ID, OCI_HOST } from './upstream-common.mjs';

const { kind, emulatorUrl, tenancyOcid } = config();

let strategy;
let method;
if (kind === 'alicloud') {
  const { alicloudStrategy } = await import('@gatehouse-auth/strategy-alicloud');
  strategy = alicloudStrategy({ stsEndpoints: { global: emulatorUrl } });
  method = { allowedArns: [ALICLOUD_KEY.arn] };
} else if (kind === 'oci') {
  const { ociStrategy } = await import('@gatehouse-auth/strategy-oci');
  strategy = ociStrategy({ relayOverride: { origins: { [OCI_HOST]: emulatorUrl } }, replayProtection: false });
  method = { tenancyOcid };
} else {
  throw new Error(`unknown strategy ${kind}`);
}

const gatehouse = createGatehouse({ strategies: [strategy], tokenRoutes: false });
await gatehouse.admin.createIdentity({ id: IDENTITY_ID, name: 'bench' });
await gatehouse.admin.attachMethod(IDENTITY_ID, strategy.id, method);

const app = Fastify();
await app.register(gatehouseFastify, { gatehouse });
const port = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port;
const monitor = processMonitor();
serve(Number(port), { stats: () => monitor.read(), ...(process.env.GATEHOUSE_ALLOC_PROFILE ? await allocationProfiler() : {}) });
