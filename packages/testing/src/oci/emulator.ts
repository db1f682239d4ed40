/**
 * An OCI Identity emulator on loopback. It verifies OCI request signatures for real (draft-cavage,
 * rsa-sha256, against each registered user's public key, fingerprint taken from the keyId), recomputing
 * the signing string from the request it actually received, and answers `GET /20160918/users/{id}` like
 * OCI: the `User` model on success, `{code, message}` errors otherwise. Fault modes stand in for an OCI
 * that is slow, failing, answering garbage or dropping connections.
 */
import { randomBytes, createPublicKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOciAuthorization, signingString, verifyRsaSha256 } from './http-signature.js';
import { OCI_ERRORS, ociUserRecord, type OciLifecycleState } from './user-record.js';

export interface OciEmulatorUser {
  /** User OCID. */
  id: string;
  /** Tenancy OCID; the user's `compartmentId`. */
  tenancyId: string;
  name: string;
  /** PEM of the API signing key registered for the user. */
  publicKeyPem: string;
  /** The key's fingerprint as OCI shows it (see `ociKeyFingerprint`). */
  fingerprint: string;
  lifecycleState?: OciLifecycleState;
  email?: string;
  /** Models an IAM policy like `allow group Admins to inspect users in tenancy`: may read other users of its tenancy. */
  canReadTenancyUsers?: boolean;
}

export type OciEmulatorFault = 'slow' | '500' | 'garbage' | 'reset' | null;

export interface OciIdentityEmulatorOptions {
  users: OciEmulatorUser[];
  /** Defaults to the system clock. OCI allows ±5 minutes between the signed date and its clock. */
  clock?: { now(): Date };
  /** How long the `slow` fault holds a response (default 30 s; the connection is dropped at `close()`). */
  slowMs?: number;
}

export interface RecordedOciRequest {
  method: string;
  target: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

export interface OciIdentityEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request that reached the emulator, whatever its outcome. */
  readonly requestCount: number;
  /** The last 100 requests (method, target, headers, status answered). */
  readonly requests: readonly RecordedOciRequest[];
  setFault(fault: OciEmulatorFault): void;
  addUser(user: OciEmulatorUser): void;
  close(): Promise<void>;
}

const USER_PATH = /^\/20160918\/users\/([^/?#]+)$/;
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_LOG = 100;

interface RegisteredUser extends OciEmulatorUser {
  key: KeyObject;
}

export async function createOciIdentityEmulator(options: OciIdentityEmulatorOptions): Promise<OciIdentityEmulator> {
  const clock = options.clock ?? { now: () => new Date() };
  const slowMs = options.slowMs ?? 30_000;
  const users = new Map<string, RegisteredUser>();
  const addUser = (u: OciEmulatorUser) => users.set(u.id, { ...u, key: createPublicKey(u.publicKeyPem) });
  options.users.forEach(addUser);

  let fault: OciEmulatorFault = null;
  let requestCount = 0;
  const log: RecordedOciRequest[] = [];
  const entries = new WeakMap<IncomingMessage, RecordedOciRequest>();
  const timers = new Set<NodeJS.Timeout>();

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const entry = entries.get(req);
    if (entry) entry.status = status;
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html' : 'application/json',
      'content-length': Buffer.byteLength(text),
      'opc-request-id': randomBytes(16).toString('hex').toUpperCase(),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };

  /** Returns the authenticated caller, or null (401). */
  const authenticate = (req: IncomingMessage): RegisteredUser | null => {
    const auth = parseOciAuthorization(req.headers.authorization);
    if (!auth || auth.version !== '1' || auth.algorithm !== 'rsa-sha256') return null;
    const [tenancyId, userId, fingerprint, ...rest] = auth.keyId.split('/');
    if (rest.length || !tenancyId || !userId || !fingerprint) return null;
    const caller = users.get(userId);
    if (!caller || caller.tenancyId !== tenancyId || caller.fingerprint !== fingerprint.toLowerCase()) return null;
    // GET requests must sign the target, the host and a date.
    const signed = new Set(auth.headers);
    if (!signed.has('(request-target)') || !signed.has('host') || !(signed.has('date') || signed.has('x-date'))) return null;
    // Oracle's rule: `x-date` stands for `date` only when it is signed; an unsigned header is never read.
    const dateHeader = req.headers[signed.has('x-date') ? 'x-date' : 'date'];
    const signedAt = typeof dateHeader === 'string' ? Date.parse(dateHeader) : NaN;
    if (!Number.isFinite(signedAt) || Math.abs(clock.now().getTime() - signedAt) > CLOCK_SKEW_MS) return null;
    const data = signingString(auth.headers, { method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers });
    if (data === null || !verifyRsaSha256(data, auth.signature, caller.key)) return null;
    return caller;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requestCount++;
    const entry: RecordedOciRequest = { method: req.method ?? '', target: req.url ?? '', headers: { ...req.headers }, status: 0 };
    entries.set(req, entry);
    log.push(entry);
    if (log.length > MAX_LOG) log.shift();

    switch (fault) {
      case 'reset':
        req.socket.destroy();
        return;
      case '500':
        return send(req, res, OCI_ERRORS.internal.status, OCI_ERRORS.internal.body);
      case 'garbage':
        return send(req, res, 200, '<html><body>502 Bad Gateway</body></html>');
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(req, res);
        }, slowMs);
        timers.add(timer);
        return;
      }
      default:
        return answer(req, res);
    }
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    // Like OCI, authenticate first: an unsigned caller learns nothing about which routes or users exist.
    const caller = authenticate(req);
    if (!caller) return send(req, res, OCI_ERRORS.notAuthenticated.status, OCI_ERRORS.notAuthenticated.body);
    const match = USER_PATH.exec((req.url ?? '').split('?')[0]!);
    if (req.method !== 'GET' || !match) return send(req, res, OCI_ERRORS.notFound.status, OCI_ERRORS.notFound.body);
    let requestedId: string;
    try {
      requestedId = decodeURIComponent(match[1]!);
    } catch {
      return send(req, res, OCI_ERRORS.notFound.status, OCI_ERRORS.notFound.body);
    }
    const target = users.get(requestedId);
    const allowed = target && (target.id === caller.id || (caller.canReadTenancyUsers && target.tenancyId === caller.tenancyId));
    if (!target || !allowed) return send(req, res, OCI_ERRORS.notFound.status, OCI_ERRORS.notFound.body);
    return send(req, res, 200, ociUserRecord(target));
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requestCount() {
      return requestCount;
    },
    get requests() {
      return log;
    },
    setFault(next) {
      fault = next;
    },
    addUser,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
