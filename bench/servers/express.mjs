import express from 'express';
import { gatehouseExpress } from '@gatehouse-auth/express';
import { bareLogin, gatehouseForMode, mode, ready } from './common.mjs';

const app = express();
if (mode() === 'bare') {
  const login = await bareLogin();
  app.post('/api/v1/auth/api-key/login', express.json({ limit: '64kb' }), async (req, res) => {
    const r = await login(req.body);
    res.status(r.status).set('cache-control', 'no-store').json(r.body);
  });
} else {
  app.use(...gatehouseExpress({ gatehouse: await gatehouseForMode() }));
}
const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
