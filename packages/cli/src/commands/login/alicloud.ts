/**
 * `gatehouse login alicloud`: signs an STS GetCallerIdentity request with Alibaba Cloud credentials
 * (`@gatehouse-auth/client`, Alibaba's own signing code) and posts the signed parameters; the secret never
 * leaves this machine.
 */
import { readFileSync } from 'node:fs';
import { buildAlicloudLoginBody, ALICLOUD_LOGIN_PATH } from '@gatehouse-auth/client';
import { z } from 'zod';
import type { CliIo } from '../../cli/io.js';
import { readSecret } from '../../cli/secrets.js';
import { usageError } from '../../errors.js';
import { readDpopKey } from './dpop-key.js';
import { loginRefused, postJson } from './http.js';
import { printLogin } from './output.js';
import { parseServerUrl } from './server-url.js';

export interface AlicloudLoginOptions {
  server: string;
  identityId: string;
  organization?: string;
  credentialsFile?: string;
  accessKeyId?: string;
  accessKeySecretStdin?: boolean;
  json?: boolean;
  /** PEM private key: the token is bound to it (DPoP). */
  dpopKey?: string;
}

const credentialsFileSchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});

export const ALICLOUD_ENV = {
  id: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  secret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  token: 'ALIBABA_CLOUD_SECURITY_TOKEN',
} as const;

async function credentials(io: CliIo, opts: AlicloudLoginOptions): Promise<z.output<typeof credentialsFileSchema>> {
  if (opts.credentialsFile) {
    if (opts.accessKeyId || opts.accessKeySecretStdin) throw usageError('use --credentials-file or --access-key-id, not both');
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(opts.credentialsFile, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(`--credentials-file ${opts.credentialsFile}: ${code ? `cannot read (${code})` : 'not valid JSON'}`);
    }
    const parsed = credentialsFileSchema.safeParse(data);
    if (!parsed.success) throw usageError(`--credentials-file ${opts.credentialsFile}: needs accessKeyId and accessKeySecret (and securityToken for STS credentials)`);
    return parsed.data;
  }
  const accessKeyId = opts.accessKeyId ?? io.env[ALICLOUD_ENV.id];
  if (!accessKeyId) throw usageError(`no credentials: use --credentials-file <file>, or --access-key-id (or ${ALICLOUD_ENV.id}) with the secret in ${ALICLOUD_ENV.secret} or on standard input`);
  const accessKeySecret = await readSecret(io, { stdin: opts.accessKeySecretStdin }, { what: 'access key secret', flag: '--access-key-secret', envVar: ALICLOUD_ENV.secret, prompt: 'AccessKey secret: ' });
  const securityToken = io.env[ALICLOUD_ENV.token];
  return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
}

export async function loginAlicloud(io: CliIo, opts: AlicloudLoginOptions): Promise<void> {
  const server = parseServerUrl(opts.server);
  const creds = await credentials(io, opts);
  const body = buildAlicloudLoginBody({ identityId: opts.identityId, ...creds, ...(opts.organization ? { organizationSlug: opts.organization } : {}) });
  const res = await postJson(new URL(ALICLOUD_LOGIN_PATH, server), body, { dpop: await readDpopKey(opts.dpopKey) });
  const token = (res.body as { accessToken?: unknown } | undefined)?.accessToken;
  if (res.status !== 200 || typeof token !== 'string') throw loginRefused('alicloud', res.status, res.body);
  printLogin(io, opts.json, token, res.body);
}
