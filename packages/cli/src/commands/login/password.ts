/**
 * `gatehouse login password`: a password login on either password strategy.
 * - `--username`: ece-password, `POST /api/v1/users/auth/_login` → `{token, session_expiration_time}`.
 * - `--email`: idp-mfa, `POST /v1/auth/login`; when the user has MFA the server answers `{mfaTempToken}`
 *   and the second call sends it with `--otp` (or `--recovery-code`), or a code typed at the prompt.
 */
import type { CliIo } from '../../cli/io.js';
import { readPassword, type PasswordOptions } from '../../cli/password-options.js';
import { readSecret } from '../../cli/secrets.js';
import { usageError } from '../../errors.js';
import { readDpopKey } from './dpop-key.js';
import { loginRefused, postJson } from './http.js';
import { printLogin } from './output.js';
import { parseServerUrl } from './server-url.js';

export const ECE_LOGIN_PATH = '/api/v1/users/auth/_login';
export const BYTEBASE_LOGIN_PATH = '/v1/auth/login';

export interface PasswordLoginOptions extends PasswordOptions {
  server: string;
  username?: string;
  email?: string;
  otp?: string;
  recoveryCode?: string;
  json?: boolean;
  /** PEM private key: the token is bound to it (DPoP). */
  dpopKey?: string;
}

export async function loginPassword(io: CliIo, opts: PasswordLoginOptions): Promise<void> {
  const server = parseServerUrl(opts.server);
  if ((opts.username === undefined) === (opts.email === undefined)) {
    throw usageError('give --username (ece-password login) or --email (idp-mfa login), exactly one');
  }
  if (opts.otp !== undefined && opts.recoveryCode !== undefined) throw usageError('give --otp or --recovery-code, not both');
  if (opts.username !== undefined && (opts.otp !== undefined || opts.recoveryCode !== undefined)) {
    throw usageError('--otp and --recovery-code are for the --email (idp-mfa) login');
  }
  const dpop = await readDpopKey(opts.dpopKey);
  const password = await readPassword(io, opts);

  if (opts.username !== undefined) {
    const res = await postJson(new URL(ECE_LOGIN_PATH, server), { username: opts.username, password }, { dpop });
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (res.status !== 200 || typeof token !== 'string') throw loginRefused('password', res.status, res.body);
    return printLogin(io, opts.json, token, res.body);
  }

  const url = new URL(BYTEBASE_LOGIN_PATH, server);
  const first = await postJson(url, { email: opts.email, password }, { dpop });
  if (first.status !== 200) throw loginRefused('password', first.status, first.body);
  let body = first.body as { token?: unknown; mfaTempToken?: unknown } | undefined;
  if (typeof body?.mfaTempToken === 'string') {
    let proof: { otpCode: string } | { recoveryCode: string };
    if (opts.recoveryCode !== undefined) proof = { recoveryCode: opts.recoveryCode };
    else if (opts.otp !== undefined) proof = { otpCode: opts.otp };
    else if (io.stdin.isTTY) proof = { otpCode: await readSecret(io, {}, { what: 'MFA code', flag: '--otp', envVar: 'GATEHOUSE_OTP', prompt: 'MFA code: ' }) };
    else throw usageError('this user has MFA: pass --otp <code> (or --recovery-code <code>)');
    const second = await postJson(url, { mfaTempToken: body.mfaTempToken, ...proof }, { dpop });
    if (second.status !== 200) throw loginRefused('MFA', second.status, second.body);
    body = second.body as typeof body;
  }
  if (typeof body?.token !== 'string') throw loginRefused('password', first.status, body);
  printLogin(io, opts.json, body.token, body);
}
