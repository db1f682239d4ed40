// A cloud emulator in its own process: the STS emulator (`alicloud`) or the OCI Identity emulator (`oci`).
// TCP connections are counted with Node's `net.server.socket` diagnostics channel (one event per accepted
// connection; the emulator is the only server in this process), so the parent can check that Gatehouse
// reuses pooled keep-alive connections instead of opening one per login.
import { channel } from 'node:diagnostics_channel';
import { config, processMonitor, serve, ALICLOUD_KEY } from './upstream-common.mjs';

const { kind, users = [], windowSeconds } = config();

let connections = 0;
const accepted = channel('net.server.socket');
accepted.subscribe(() => connections++);

let emulator;
let requests;
if (kind === 'alicloud') {
  const { createStsEmulator } = await import('@gatehouse-auth/testing/sts');
  emulator = await createStsEmulator({ accessKeys: [ALICLOUD_KEY], ...(windowSeconds ? { timestampWindowSeconds: windowSeconds } : {}) });
  requests = () => emulator.calls;
} else if (kind === 'oci') {
  const { createOciIdentityEmulator } = await import('@gatehouse-auth/testing/oci');
  emulator = await createOciIdentityEmulator({ users });
  requests = () => emulator.requestCount;
} else {
  throw new Error(`unknown emulator ${kind}`);
}

const monitor = processMonitor();
serve(Number(new URL(emulator.url).port), {
  stats: () => ({ connections, requests: requests(), ...monitor.read() }),
});
