/**
 * An Alibaba Cloud STS emulator for tests: a real HTTP server on loopback that verifies RPC signature v1
 * (HMAC-SHA1) against registered access keys, STS temporary credentials included, and answers
 * `GetCallerIdentity` with STS's field set and error bodies. It can be told to hang, fail or talk garbage.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { rpcSignature, signatureMatches, stringToSign } from './rpc-signature.js';
import { errorBody, stsErrors, type StsError } from './sts-errors.js';

export interface StsAccessKey {
  /** AccessKeyId; temporary credentials start with `STS.`. */
  id: string;
  secret: string;
  /** The caller's ARN, e.g. `acs:ram::1234567890123456:user/alice`. */
  arn: string;
  accountId: string;
  principalId: string;
  identityType: 'RAMUser' | 'AssumedRoleUser';
  /** Required for (and only for) `STS.` keys: the SecurityToken the request must carry. */
  securityToken?: string;
  /** `UserId` in the answer for RAM users (default: principalId). */
  userId?: string;
  /** `RoleId` in the answer for assumed roles (default: principalId up to the first `:`). */
  roleId?: string;
  /** A disabled key answers `InvalidAccessKeyId.Inactive`. Default true. */
  active?: boolean;
  /** When temporary credentials expire (checked against the emulator's clock). */
  expiresAt?: Date;
}

export interface StsEmulatorOptions {
  accessKeys: StsAccessKey[];
  /** Time source for the Timestamp window and credential expiry. Default: the system clock. */
  clock?: { now(): Date };
  /** Accepted Timestamp skew either way, seconds. Default 900, as STS. */
  timestampWindowSeconds?: number;
  /** `HostId` in error bodies. Default `sts.aliyuncs.com`. */
  hostId?: string;
}

/**
 * - `slow`: hold the answer for `delayMs` (or until `close()` when omitted), then answer normally.
 * - `500`: answer 500 `InternalError`.
 * - `garbage`: answer 200 with `body` (default: an HTML page) instead of JSON.
 * - `huge`: answer 200 with `bytes` bytes (default 1 MiB) of JSON-looking filler.
 * - `reset`: destroy the connection without answering.
 */
export type StsFault = 'slow' | '500' | 'garbage' | 'huge' | 'reset';

export interface StsFaultOptions {
  delayMs?: number;
  body?: string;
  bytes?: number;
}

export interface ReceivedStsRequest {
  method: string;
  path: string;
  /** Decoded parameters (query, plus the form body for POST). */
  params: Record<string, string>;
  /** The raw query string as it arrived, without `?`. */
  rawQuery: string;
}

export interface StsEmulator {
  /** `http://127.0.0.1:<port>`: an origin to configure as an STS endpoint. */
  readonly url: string;
  /** Number of HTTP requests received so far (faulted ones included). */
  readonly calls: number;
  /** The last (at most 100) requests received, oldest first. */
  readonly received: readonly ReceivedStsRequest[];
  setFault(fault: StsFault | null, options?: StsFaultOptions): void;
  close(): Promise<void>;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_NONCES = 100_000;
const REQUIRED = ['Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Signature'] as const;

class StsFailure extends Error {
  constructor(readonly sts: StsError) {
    super(sts.code);
  }
}

export async function createStsEmulator(options: StsEmulatorOptions): Promise<StsEmulator> {
  const clock = options.clock ?? { now: () => new Date() };
  const windowMs = (options.timestampWindowSeconds ?? 900) * 1000;
  const hostId = options.hostId ?? 'sts.aliyuncs.com';
  const keys = new Map<string, StsAccessKey>();
  for (const key of options.accessKeys) {
    const temporary = key.id.startsWith('STS.');
    if (temporary !== Boolean(key.securityToken)) {
      throw new Error(`STS emulator: key ${key.id} ${temporary ? 'needs' : 'must not have'} a securityToken`);
    }
    keys.set(key.id, key);
  }
  // nonce → expiry (ms). Bounded: expired entries are dropped on insert, and the map is capped.
  const nonces = new Map<string, number>();
  const received: ReceivedStsRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let calls = 0;
  let fault: { kind: StsFault; options: StsFaultOptions } | null = null;

  function remember(nonce: string, nowMs: number): boolean {
    const seen = nonces.get(nonce);
    if (seen !== undefined && seen > nowMs) return false;
    if (nonces.size >= MAX_NONCES) {
      for (const [n, exp] of nonces) if (exp <= nowMs) nonces.delete(n);
      if (nonces.size >= MAX_NONCES) nonces.delete(nonces.keys().next().value as string);
    }
    // A nonce only needs remembering while its Timestamp could still be accepted.
    nonces.set(nonce, nowMs + 2 * windowMs);
    return true;
  }

  function verify(method: string, params: Record<string, string>): Record<string, string> {
    for (const name of REQUIRED) if (!params[name]) throw new StsFailure(stsErrors.missingParameter(name));
    if (params.Action !== 'GetCallerIdentity') throw new StsFailure(stsErrors.apiNotFound());
    if (params.Version !== '2015-04-01') throw new StsFailure(stsErrors.invalidVersion());
    if (params.Format !== 'JSON') throw new StsFailure(stsErrors.invalidParameter('Format'));
    if (params.SignatureMethod !== 'HMAC-SHA1') throw new StsFailure(stsErrors.unsupportedSignatureMethod());
    if (params.SignatureVersion !== '1.0') throw new StsFailure(stsErrors.unsupportedSignatureVersion());

    const now = clock.now().getTime();
    const ts = parseTimestamp(params.Timestamp!);
    if (ts === null) throw new StsFailure(stsErrors.timestampFormat());
    if (Math.abs(now - ts) > windowMs) throw new StsFailure(stsErrors.timestampExpired());

    const key = keys.get(params.AccessKeyId!);
    if (!key) throw new StsFailure(stsErrors.accessKeyNotFound());
    if (key.active === false) throw new StsFailure(stsErrors.accessKeyInactive());

    const expected = rpcSignature(method, params, key.secret);
    if (!signatureMatches(params.Signature!, expected)) {
      throw new StsFailure(stsErrors.signatureMismatch(stringToSign(method, params)));
    }

    if (key.securityToken !== undefined) {
      if (params.SecurityToken === undefined) throw new StsFailure(stsErrors.securityTokenMissing());
      if (!signatureMatches(params.SecurityToken, key.securityToken)) throw new StsFailure(stsErrors.securityTokenMismatch());
      if (key.expiresAt && key.expiresAt.getTime() <= now) throw new StsFailure(stsErrors.securityTokenExpired());
    } else if (params.SecurityToken !== undefined) {
      throw new StsFailure(stsErrors.securityTokenMismatch());
    }

    // Recorded only once the signature holds, so a forged request cannot burn someone else's nonce.
    if (!remember(params.SignatureNonce!, now)) throw new StsFailure(stsErrors.nonceUsed());

    const requestId = newRequestId();
    const base = { IdentityType: key.identityType, AccountId: key.accountId, RequestId: requestId, PrincipalId: key.principalId };
    return key.identityType === 'RAMUser'
      ? { ...base, UserId: key.userId ?? key.principalId, Arn: key.arn }
      : { ...base, RoleId: key.roleId ?? key.principalId.split(':')[0]!, Arn: key.arn };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    calls += 1;
    const requestId = newRequestId();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const rawQuery = url.search.slice(1);
    let params: Record<string, string> = {};
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      params = collect(new URLSearchParams(rawQuery));
      if (method === 'POST') {
        const body = await readBody(req);
        params = { ...params, ...collect(new URLSearchParams(body)) };
      }
      received.push({ method, path: url.pathname, params, rawQuery });
      if (received.length > 100) received.shift();

      const current = fault;
      if (current?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (current?.kind === 'slow') await sleep(current.options.delayMs);
      if (current?.kind === '500') throw new StsFailure(stsErrors.internal());
      if (current?.kind === 'garbage') return send(res, 200, current.options.body ?? '<html><body>502 Bad Gateway</body></html>', 'text/html', requestId);
      if (current?.kind === 'huge') {
        return send(res, 200, `{"Arn":"${'x'.repeat(Math.max(0, (current.options.bytes ?? 1024 * 1024) - 10))}"}`, 'application/json;charset=utf-8', requestId);
      }

      if (method !== 'GET' && method !== 'POST') throw new StsFailure(stsErrors.unsupportedMethod());
      if (url.pathname !== '/') throw new StsFailure(stsErrors.apiNotFound());
      const answer = verify(method, params);
      send(res, 200, JSON.stringify(answer), 'application/json;charset=utf-8', answer.RequestId!);
    } catch (err) {
      const sts = err instanceof StsFailure ? err.sts : stsErrors.internal();
      send(res, sts.status, JSON.stringify(errorBody(sts, requestId, hostId)), 'application/json;charset=utf-8', requestId);
    }
  }

  function collect(search: URLSearchParams): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of search) {
      // An ambiguous request (one name, two values) is refused rather than guessed at.
      if (Object.hasOwn(out, k)) throw new StsFailure(stsErrors.invalidParameter(k));
      out[k] = v;
    }
    return out;
  }

  function sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (ms === undefined) return; // held until close() destroys the socket
      const t = setTimeout(() => (timers.delete(t), resolve()), ms);
      timers.add(t);
    });
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    received,
    setFault(kind, opts = {}) {
      fault = kind ? { kind, options: opts } : null;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: string, contentType: string, requestId: string) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-acs-request-id': requestId });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new StsFailure(stsErrors.invalidParameter('body')));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `YYYY-MM-DDTHH:mm:ssZ` to epoch ms; null when malformed or not a real date. */
function parseTimestamp(value: string): number | null {
  const m = TIMESTAMP.exec(value);
  if (!m) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March; a real calendar date round-trips unchanged.
  return new Date(ms).toISOString().replace('.000Z', 'Z') === value ? ms : null;
}

function newRequestId(): string {
  return randomUUID().toUpperCase();
}
