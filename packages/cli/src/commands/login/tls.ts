/**
 * `gatehouse login tls`: logs in over mutual TLS (`@gatehouse-auth/client`'s mTLS agent). The client certificate
 * (and key) are presented in the TLS handshake; the body carries only the identity id (seed 002).
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createMtlsAgent, TLS_CERT_LOGIN_ROUTE } from '@gatehouse-auth/client';
import type { CliIo } from '../../cli/io.js';
import { readSecret } from '../../cli/secrets.js';
import { usageError } from '../../errors.js';
import { readDpopKey } from './dpop-key.js';
import { loginRefused, postJson } from './http.js';
import { printLogin } from './output.js';
import { parseServerUrl } from './server-url.js';

export interface TlsLoginOptions {
  server: string;
  identityId: string;
  organization?: string;
  cert: string;
  key: string;
  ca?: string;
  keyPassphraseStdin?: boolean;
  json?: boolean;
  /** PEM private key: the token is bound to it (DPoP). */
  dpopKey?: string;
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`${flag} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export async function loginTls(io: CliIo, opts: TlsLoginOptions): Promise<void> {
  const server = parseServerUrl(opts.server);
  const dpop = await readDpopKey(opts.dpopKey);
  if (server.protocol !== 'https:') throw usageError('--server must be the https:// URL of the mTLS listener for a certificate login');
  const cert = readPem(opts.cert, '--cert');
  const key = readPem(opts.key, '--key');
  const ca = opts.ca ? readPem(opts.ca, '--ca') : undefined;
  const encrypted = /ENCRYPTED/.test(key);
  const passphrase =
    encrypted || opts.keyPassphraseStdin
      ? await readSecret(io, { stdin: opts.keyPassphraseStdin }, { what: 'key passphrase', flag: '--key-passphrase', envVar: 'GATEHOUSE_KEY_PASSPHRASE', prompt: 'Key passphrase: ' })
      : undefined;
  let keyPem = key;
  if (passphrase !== undefined) {
    // Decrypted in memory only, so the agent gets a plain key and a wrong passphrase is a clear error here.
    try {
      keyPem = createPrivateKey({ key, passphrase }).export({ type: 'pkcs8', format: 'pem' }).toString();
    } catch {
      throw usageError('--key: cannot decrypt the private key (wrong passphrase?)');
    }
  }
  const dispatcher = createMtlsAgent({ certPem: cert, keyPem, ...(ca ? { caPem: ca } : {}) });
  try {
    const body = { identityId: opts.identityId, ...(opts.organization ? { organizationSlug: opts.organization } : {}) };
    const res = await postJson(new URL(TLS_CERT_LOGIN_ROUTE, server), body, { dispatcher, dpop });
    const token = (res.body as { accessToken?: unknown } | undefined)?.accessToken;
    if (res.status !== 200 || typeof token !== 'string') throw loginRefused('tls', res.status, res.body);
    printLogin(io, opts.json, token, res.body);
  } finally {
    await dispatcher.close();
  }
}
