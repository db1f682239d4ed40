/**
 * The listeners: plain HTTP, and optionally HTTPS asking every client for a certificate (`requestCert`)
 * without rejecting any (`rejectUnauthorized: false`): the tls-cert strategy validates the presented chain
 * against each identity's CA itself. Both are bound before the app is built, so the URLs (port 0 included)
 * are known to the strategies and the demo IdP, and both hand requests to the same Fastify router.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Listener {
  readonly server: Server;
  readonly protocol: 'http' | 'https';
  readonly url: string;
  /** Replaces the request handler (until set, requests get 503 "starting"). */
  setHandler(handler: RequestHandler): void;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive connections. */
  close(): Promise<void>;
  /** Cuts every remaining connection. */
  destroyConnections(): void;
}

const starting: RequestHandler = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
  res.end('{"status":"starting"}');
};

function urlOf(protocol: 'http' | 'https', address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `${protocol}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
}

async function listen(server: Server, protocol: 'http' | 'https', host: string, port: number, state: { handler: RequestHandler }): Promise<Listener> {
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = urlOf(protocol, server.address() as AddressInfo);
  return {
    server,
    protocol,
    url,
    setHandler(handler) {
      state.handler = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        // A keep-alive connection whose request finishes after close() would linger until its idle
        // timeout: sweep idle connections until the server has none left.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
    destroyConnections: () => server.closeAllConnections(),
  };
}

export async function listenHttp(host: string, port: number): Promise<Listener> {
  const state = { handler: starting };
  const server = createHttpServer((req, res) => state.handler(req, res));
  return listen(server, 'http', host, port, state);
}

export async function listenHttps(host: string, port: number, tls: { cert: string; key: string; ca?: string }): Promise<Listener> {
  const state = { handler: starting };
  const server = createHttpsServer(
    { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    (req, res) => state.handler(req, res),
  );
  return listen(server as unknown as Server, 'https', host, port, state);
}
