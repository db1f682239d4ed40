// A TypeScript app in a CommonJS package, `module: nodenext`, `skipLibCheck: false`, with the Express
// adapter: every .d.ts of the packages (and what they reference) must type-check; the compiled require()
// calls load the ES modules.
import type { AddressInfo } from 'node:net';
import { createGatehouse } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { gatehouseExpress, gatehouseGuard } from '@gatehouse-auth/express';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import express from 'express';

async function main(): Promise<void> {
  const gatehouse = createGatehouse({ strategies: [ecePasswordStrategy()] });
  await createPasswordUser(gatehouse.stores, { username: 'ts-user', password: 'ts passphrase 123' }, { now: new Date() });
  const app = express();
  app.use(...gatehouseExpress({ gatehouse }));
  app.get('/me', gatehouseGuard({ gatehouse }), (req, res) => {
    res.json({ subject: req.gatehouse?.subject });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${url}/api/v1/users/auth/_login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ts-user', password: 'ts passphrase 123' }),
  });
  const { token } = (await login.json()) as { token: string };
  const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
  const refused = await fetch(`${url}/me`);
  const body = (await me.json()) as { subject: unknown };
  console.log(JSON.stringify({ login: login.status, me: me.status, subject: body.subject, refused: refused.status }));
  server.close();
  await gatehouse.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
