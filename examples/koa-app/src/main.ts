import { createResourceApp } from './app.js';

const port = Number(process.env.PORT ?? 3002);
const app = createResourceApp({
  authServerUrl: process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080',
  issuer: process.env.GATEHOUSE_ISSUER ?? 'gatehouse',
  audience: process.env.GATEHOUSE_AUDIENCE ?? 'gatehouse',
  introspectionSecret: process.env.GATEHOUSE_INTROSPECTION_SECRET,
});
app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`koa-app listening on http://127.0.0.1:${port} (GET /api/whoami with a Bearer token)\n`);
});
