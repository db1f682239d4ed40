/**
 * The API reference page: a static HTML page and a small script that renders `/openapi.json` in the
 * browser. Hand-written and served from the package, so it works offline and with a strict CSP (no CDN,
 * no inline script, no third-party code).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const ASSETS = new URL('../../assets/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, ASSETS), 'utf8');

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const API_REFERENCE_PATH = '/docs';

export function registerApiReference(app: FastifyInstance, opts: { openapiPath: string }) {
  const html = read('api-reference.html').replaceAll('__OPENAPI_PATH__', opts.openapiPath);
  const js = read('api-reference.js');
  const css = read('api-reference.css');
  const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' };
  app.get(API_REFERENCE_PATH, async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(html));
  app.get(`${API_REFERENCE_PATH}/reference.js`, async (_request, reply) => reply.headers(headers).type('text/javascript; charset=utf-8').send(js));
  app.get(`${API_REFERENCE_PATH}/reference.css`, async (_request, reply) => reply.headers(headers).type('text/css; charset=utf-8').send(css));
}
