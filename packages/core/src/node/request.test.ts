import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pathOf, queryOf, toGatehouseRequest } from './request.js';
import { peerCertificateChain } from './tls.js';

describe('pathOf / queryOf', () => {
  it('splits the path from the query without decoding the path', () => {
    expect(pathOf('/api/v1/auth/%61/login?x=1')).toBe('/api/v1/auth/%61/login');
    expect(pathOf(undefined)).toBe('/');
  });
  it('parses repeated keys into arrays on a null-prototype record', () => {
    const q = queryOf('/x?a=1&a=2&b=%20&__proto__=p');
    expect(q.a).toEqual(['1', '2']);
    expect(q.b).toBe(' ');
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toBe('p'); // a plain key, not a prototype
    expect(Object.keys(queryOf('/x'))).toEqual([]);
  });
});

describe('peerCertificateChain', () => {
  it('is empty for a plain socket', () => {
    expect(peerCertificateChain({ encrypted: undefined } as never)).toEqual([]);
    expect(peerCertificateChain(undefined)).toEqual([]);
  });
  it('stops when the issuer repeats (a self-signed root points to itself) and caches per connection', () => {
    const root: Record<string, unknown> = { raw: Buffer.from([3]), fingerprint256: 'R' };
    root.issuerCertificate = root;
    const leaf = { raw: Buffer.from([1]), fingerprint256: 'L', issuerCertificate: { raw: Buffer.from([2]), fingerprint256: 'I', issuerCertificate: root } };
    let calls = 0;
    const socket = { encrypted: true, getPeerCertificate: () => (calls++, leaf) } as never;
    expect(peerCertificateChain(socket).map((d) => [...d])).toEqual([[1], [2], [3]]);
    peerCertificateChain(socket);
    expect(calls).toBe(1);
  });
  it('is empty when the client presented nothing (Node returns {})', () => {
    expect(peerCertificateChain({ encrypted: true, getPeerCertificate: () => ({}) } as never)).toEqual([]);
  });
});

describe('toGatehouseRequest: the abort signal, made when first read', () => {
  /** One request to a real server; `handle` gets the Node request and response. */
  async function exchange(handle: (req: IncomingMessage, res: ServerResponse) => void, clientAborts: boolean): Promise<void> {
    const server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await new Promise<void>((resolve) => {
        const req = httpRequest({ port: (server.address() as AddressInfo).port, method: 'POST', host: '127.0.0.1' }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => resolve());
        req.write('{}');
        if (clientAborts) setTimeout(() => req.destroy(), 20);
        else req.end();
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it('is aborted when read after the client went away, and when the client leaves after it was read', async () => {
    const late = new Promise<boolean>((resolve) =>
      void exchange((req, res) => {
        const request = toGatehouseRequest(req, { body: undefined }, { response: res });
        res.on('close', () => setImmediate(() => resolve(request.signal!.aborted)));
      }, true),
    );
    expect(await late).toBe(true);
    const early = new Promise<boolean>((resolve) =>
      void exchange((req, res) => {
        const signal = toGatehouseRequest(req, { body: undefined }, { response: res }).signal!;
        expect(signal.aborted).toBe(false);
        signal.addEventListener('abort', () => resolve(true));
      }, true),
    );
    expect(await early).toBe(true);
  });

  it('is never aborted for a response that was sent in full, read before or after', async () => {
    const seen: boolean[] = [];
    await exchange((req, res) => {
      const before = toGatehouseRequest(req, { body: undefined }, { response: res });
      const after = toGatehouseRequest(req, { body: undefined }, { response: res });
      const signal = before.signal!;
      res.on('close', () => seen.push(signal.aborted, after.signal!.aborted));
      res.end('ok');
    }, false);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([false, false]);
  });

  it('an explicit signal wins, and no response means no signal', () => {
    const req = { method: 'POST', url: '/x', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const explicit = new AbortController().signal;
    expect(toGatehouseRequest(req, { body: {} }, { signal: explicit }).signal).toBe(explicit);
    expect(toGatehouseRequest(req, { body: {} }).signal).toBeUndefined();
  });
});
