import express from 'express';
import { createGatehouse } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { ARGON2, USERS } from './password-common.mjs';
import { ready } from './common.mjs';

const gatehouse = createGatehouse({ strategies: [ecePasswordStrategy({ argon2: ARGON2 })] });
for (const u of USERS) {
  await createPasswordUser(gatehouse.stores, { username: u.username, password: u.password, displayName: u.username }, { now: new Date(), params: ARGON2 });
}
const app = express();
app.use(...gatehouseExpress({ gatehouse }));
const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
