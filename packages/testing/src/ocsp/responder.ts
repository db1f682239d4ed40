/**
 * An OCSP responder for tests (RFC 6960 over HTTP, POST and GET): a real server on loopback that reads
 * requests, answers for the certificates of the CAs it serves and signs every response for real — with the
 * CA's key, or a delegated responder's (a certificate with extKeyUsage OCSPSigning, issued by the CA). Per
 * serial (or for all) it can be told to misbehave: stale, wrong signer, slow, garbage, error statuses…
 */
import { generateKeyPair, verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { OCSPResponseStatus, type CertID } from '@peculiar/asn1-ocsp';
import { createCa, type CertificateAuthority, type IssuedCertificate } from '../certs/index.js';
import type { KeyPair } from '../certs/keys.js';
import {
  certIdIssuer,
  errorResponse,
  parseRequest,
  publicKeyBits,
  serialOf,
  subjectDer,
  successResponse,
  type Answer,
  type CertState,
  type IssuerIdentity,
  type ResponseSigner,
} from './messages.js';

export interface OcspIssuer {
  ca: CertificateAuthority;
  /**
   * Signs this CA's answers instead of the CA itself: a certificate issued by the CA with extKeyUsage
   * `OCSPSigning` (a delegated responder, RFC 6960 §4.2.2.2). Its certificate goes in the response.
   */
  delegate?: IssuedCertificate;
}

export interface OcspResponderOptions {
  /** CAs this responder answers for (a bare CertificateAuthority signs its own answers). */
  issuers: (OcspIssuer | CertificateAuthority)[];
  /** Time source for thisUpdate / nextUpdate / producedAt. Default: the system clock. */
  clock?: { now(): Date };
  /** Answer for serials never registered with `setStatus`. Default `unknown`, as a responder that knows what it issued. */
  defaultStatus?: 'good' | 'unknown';
  /** nextUpdate − thisUpdate, seconds. Default 3600. */
  validitySeconds?: number;
  /** How the responder names itself. Default `byKey`. */
  responderId?: 'byKey' | 'byName';
  /** Answer `sigRequired` to unsigned requests, and `unauthorized` to requests not signed by a trusted requestor. */
  requireSignedRequests?: boolean;
  /** Certificates whose keys may sign requests. */
  trustedRequestors?: IssuedCertificate[];
}

/**
 * - `stale`: thisUpdate two days and nextUpdate one day in the past.
 * - `not-yet-valid`: thisUpdate a day in the future.
 * - `no-next-update`: no nextUpdate ("newer information is always available").
 * - `wrong-signer`: signed by an unrelated key, named byKey, no certificate.
 * - `unauthorized-signer`: signed by a certificate the CA issued *without* OCSPSigning (included).
 * - `foreign-delegate`: signed by an OCSPSigning certificate from another CA (included).
 * - `bad-signature`: the right signer, one bit of the signature flipped.
 * - `wrong-serial`: answers for another serial than the one asked.
 * - `no-nonce` / `wrong-nonce`: leaves the request's nonce out / answers with another one.
 * - `slow`: holds the answer for `delayMs` (or until `close()`), then answers normally.
 * - `garbage`: 200 with a body that is not DER. `http-500`: HTTP 500. `reset`: drops the connection.
 * - `try-later`, `internal-error`, `unauthorized`, `malformed-request`: that OCSPResponseStatus, unsigned.
 */
export type OcspBehaviour =
  | 'normal'
  | 'stale'
  | 'not-yet-valid'
  | 'no-next-update'
  | 'wrong-signer'
  | 'unauthorized-signer'
  | 'foreign-delegate'
  | 'bad-signature'
  | 'wrong-serial'
  | 'no-nonce'
  | 'wrong-nonce'
  | 'slow'
  | 'garbage'
  | 'http-500'
  | 'reset'
  | 'try-later'
  | 'internal-error'
  | 'unauthorized'
  | 'malformed-request';

export interface ReceivedOcspRequest {
  method: 'GET' | 'POST';
  /** Serials asked for, upper-case hex. */
  serials: string[];
  /** Hex of the nonce extension value, if the request carried one. */
  nonce: string | undefined;
  signed: boolean;
}

export interface OcspResponder {
  /** `http://127.0.0.1:<port>/ocsp`: put it in a certificate's OCSP URLs or a servers override. */
  readonly url: string;
  /** HTTP requests received so far (bad ones included). */
  readonly calls: number;
  /** The last (at most 100) parsed requests, oldest first. */
  readonly received: readonly ReceivedOcspRequest[];
  setStatus(serial: string, status: 'good' | 'unknown'): void;
  revoke(serial: string, options?: { revokedAt?: Date; reason?: number }): void;
  /** `serial` (upper-case hex, as `IssuedCertificate#serial`) or `'*'` for every answer without its own. */
  setBehaviour(serial: string, behaviour: OcspBehaviour, options?: { delayMs?: number }): void;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const MAX_BODY_BYTES = 64 * 1024;
const generateKeyPairAsync = promisify(generateKeyPair);

interface ServedIssuer {
  identity: IssuerIdentity;
  signer: ResponseSigner;
  /** Same CA, signed by a certificate it issued without OCSPSigning. */
  unauthorized: ResponseSigner;
}

async function keysOf(cert: IssuedCertificate): Promise<KeyPair> {
  return { keyType: cert.keyType, privateKey: cert.privateKey, publicKey: cert.publicKey };
}

export async function createOcspResponder(options: OcspResponderOptions): Promise<OcspResponder> {
  const clock = options.clock ?? { now: () => new Date() };
  const validityMs = (options.validitySeconds ?? 3600) * 1000;
  const responderId = options.responderId ?? 'byKey';
  const statuses = new Map<string, CertState>();
  const behaviours = new Map<string, { behaviour: OcspBehaviour; delayMs?: number }>();
  const received: ReceivedOcspRequest[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<() => void>();
  let calls = 0;

  const served: ServedIssuer[] = [];
  for (const entry of options.issuers) {
    const { ca, delegate } = 'ca' in entry ? entry : { ca: entry, delegate: undefined };
    const identity = { nameDer: subjectDer(ca.certDer), keyBits: publicKeyBits(ca.publicKey) };
    const signerCert = delegate ?? ca;
    const plain = await ca.issue({ commonName: `${ca.commonName} not a responder`, extKeyUsage: ['clientAuth'] });
    served.push({
      identity,
      signer: { keys: await keysOf(signerCert), nameDer: subjectDer(signerCert.certDer), ...(delegate ? { certDer: delegate.certDer } : {}) },
      unauthorized: { keys: await keysOf(plain), certDer: plain.certDer, nameDer: subjectDer(plain.certDer) },
    });
  }
  // Signers no served CA vouches for.
  const strangerKeys = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const stranger: ResponseSigner = { keys: { keyType: 'ec', ...strangerKeys } };
  const otherCa = await createCa({ commonName: 'Some Other CA' });
  const foreignCert = await otherCa.issue({ commonName: 'Foreign OCSP Responder', extKeyUsage: ['OCSPSigning'] });
  const foreign: ResponseSigner = { keys: await keysOf(foreignCert), certDer: foreignCert.certDer, nameDer: subjectDer(foreignCert.certDer) };

  const behaviourFor = (serial: string) => behaviours.get(serial) ?? behaviours.get('*') ?? { behaviour: 'normal' as const };

  function requestSignatureTrusted(signature: NonNullable<ReturnType<typeof parseRequest>['signature']>): boolean {
    const digest = signature.algorithm === '1.3.101.112' ? null : 'sha256';
    const candidates = [...signature.certs.map((der) => new X509Certificate(der).publicKey)];
    const trusted = (options.trustedRequestors ?? []).map((c) => c.publicKey.export({ type: 'spki', format: 'der' }));
    return candidates.some((key) => {
      const spki = key.export({ type: 'spki', format: 'der' });
      if (!trusted.some((t) => t.equals(spki))) return false;
      try {
        return verify(digest, signature.tbs, key, signature.value);
      } catch {
        return false;
      }
    });
  }

  async function answer(body: Buffer, method: 'GET' | 'POST', res: ServerResponse): Promise<void> {
    let request: ReturnType<typeof parseRequest>;
    try {
      request = parseRequest(body);
    } catch {
      return send(res, errorResponse(OCSPResponseStatus.malformedRequest));
    }
    const serials = request.certIds.map(serialOf);
    received.push({ method, serials, nonce: request.nonce?.toString('hex'), signed: request.signed });
    if (received.length > 100) received.shift();
    if (options.requireSignedRequests) {
      if (!request.signature) return send(res, errorResponse(OCSPResponseStatus.sigRequired));
      if (!requestSignatureTrusted(request.signature)) return send(res, errorResponse(OCSPResponseStatus.unauthorized));
    }
    const { behaviour, delayMs } = behaviourFor(serials[0] ?? '*');
    switch (behaviour) {
      case 'slow':
        await new Promise<void>((resolve) => {
          const release = () => {
            held.delete(release);
            resolve();
          };
          held.add(release);
          if (delayMs !== undefined) setTimeout(release, delayMs).unref();
        });
        if (res.destroyed) return;
        break;
      case 'garbage':
        return send(res, Buffer.from('<html>not an OCSP response</html>'));
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'try-later':
        return send(res, errorResponse(OCSPResponseStatus.tryLater));
      case 'internal-error':
        return send(res, errorResponse(OCSPResponseStatus.internalError));
      case 'unauthorized':
        return send(res, errorResponse(OCSPResponseStatus.unauthorized));
      case 'malformed-request':
        return send(res, errorResponse(OCSPResponseStatus.malformedRequest));
    }

    const issuer = served.find((s) => request.certIds.every((id) => certIdIssuer(id, s.identity)));
    // RFC 6960 §2.3: a request for a CA this responder does not serve is `unauthorized`.
    if (!issuer) return send(res, errorResponse(OCSPResponseStatus.unauthorized));
    // Whole seconds: RFC 5019 §2.2.4 forbids fractional seconds, and OpenSSL cannot compare them at all.
    const now = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    let thisUpdate = new Date(now.getTime() - 60_000);
    let nextUpdate: Date | undefined = new Date(thisUpdate.getTime() + validityMs);
    if (behaviour === 'stale') {
      thisUpdate = new Date(now.getTime() - 2 * DAY);
      nextUpdate = new Date(now.getTime() - DAY);
    } else if (behaviour === 'not-yet-valid') {
      thisUpdate = new Date(now.getTime() + DAY);
      nextUpdate = new Date(now.getTime() + 2 * DAY);
    } else if (behaviour === 'no-next-update') {
      nextUpdate = undefined;
    }
    const answers: Answer[] = request.certIds.map((certId: CertID) => {
      const serial = serialOf(certId);
      const state = statuses.get(serial) ?? { status: options.defaultStatus ?? 'unknown' };
      if (behaviour === 'wrong-serial') {
        const other = Buffer.from(certId.serialNumber);
        other[other.length - 1]! ^= 0x01;
        return { certId: Object.assign(Object.create(Object.getPrototypeOf(certId) as object) as CertID, certId, { serialNumber: new Uint8Array(other).buffer }), state, thisUpdate, nextUpdate };
      }
      return { certId, state, thisUpdate, nextUpdate };
    });
    const signer = behaviour === 'wrong-signer' ? stranger : behaviour === 'unauthorized-signer' ? issuer.unauthorized : behaviour === 'foreign-delegate' ? foreign : issuer.signer;
    const nonce = behaviour === 'no-nonce' ? undefined : behaviour === 'wrong-nonce' ? Buffer.from('0410' + 'ab'.repeat(16), 'hex') : request.nonce;
    send(
      res,
      successResponse({ answers, signer, producedAt: now, responderId, nonce, corruptSignature: behaviour === 'bad-signature' }),
    );
  }

  function send(res: ServerResponse, der: Buffer): void {
    res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length }).end(der);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    calls++;
    if (req.method === 'GET') {
      // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}
      const encoded = (req.url ?? '').replace(/^\/ocsp\/?/, '').replace(/^\//, '');
      let der: Buffer;
      try {
        der = Buffer.from(decodeURIComponent(encoded), 'base64');
      } catch {
        return send(res, errorResponse(OCSPResponseStatus.malformedRequest));
      }
      return answer(der, 'GET', res);
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    return answer(Buffer.concat(chunks), 'POST', res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/ocsp`,
    get calls() {
      return calls;
    },
    get received() {
      return received;
    },
    setStatus(serial, status) {
      statuses.set(serial.toUpperCase(), { status });
    },
    revoke(serial, revokeOptions = {}) {
      statuses.set(serial.toUpperCase(), {
        status: 'revoked',
        revokedAt: revokeOptions.revokedAt ?? new Date(Math.floor(clock.now().getTime() / 1000) * 1000 - 3600_000),
        ...(revokeOptions.reason === undefined ? {} : { reason: revokeOptions.reason }),
      });
    },
    setBehaviour(serial, behaviour, behaviourOptions = {}) {
      behaviours.set(serial === '*' ? '*' : serial.toUpperCase(), { behaviour, ...behaviourOptions });
    },
    async close() {
      for (const release of [...held]) release();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
