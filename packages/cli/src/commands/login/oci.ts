/**
 * `gatehouse login oci`: signs `GET /20160918/users/<ocid>` for the region's OCI Identity host with the
 * user's API key (`@gatehouse-auth/client`, Oracle's `oci-common` signer) and posts the signed headers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildOciLoginBody, OCI_LOGIN_ROUTE } from '@gatehouse-auth/client';
import type { CliIo } from '../../cli/io.js';
import { usageError } from '../../errors.js';
import { readDpopKey } from './dpop-key.js';
import { loginRefused, postJson } from './http.js';
import { readOciProfile } from './oci-config-file.js';
import { printLogin } from './output.js';
import { parseServerUrl } from './server-url.js';

export interface OciLoginOptions {
  server: string;
  identityId: string;
  organization?: string;
  ociConfig?: string;
  profile: string;
  json?: boolean;
  /** PEM private key: the token is bound to it (DPoP). */
  dpopKey?: string;
}

export async function loginOci(io: CliIo, opts: OciLoginOptions): Promise<void> {
  const server = parseServerUrl(opts.server);
  const dpop = await readDpopKey(opts.dpopKey);
  const file = opts.ociConfig ?? io.env.OCI_CONFIG_FILE ?? join(homedir(), '.oci', 'config');
  if (!opts.ociConfig && !existsSync(file)) throw usageError(`no OCI config: pass --oci-config <file> (default ${file} does not exist)`);
  const profile = readOciProfile(file, opts.profile);
  let privateKeyPem: string;
  try {
    privateKeyPem = readFileSync(profile.keyFile, 'utf8');
  } catch (err) {
    throw usageError(`key_file ${profile.keyFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let body;
  try {
    body = await buildOciLoginBody({
      identityId: opts.identityId,
      userOcid: profile.user,
      tenancyOcid: profile.tenancy,
      fingerprint: profile.fingerprint,
      privateKeyPem,
      region: profile.region,
      ...(profile.passPhrase ? { passphrase: profile.passPhrase } : {}),
      ...(opts.organization ? { organizationSlug: opts.organization } : {}),
    });
  } catch (err) {
    // The client's messages name the bad input (region, key) and never the key itself.
    throw usageError(`cannot sign the OCI request: ${(err as Error).message}`);
  }
  const res = await postJson(new URL(OCI_LOGIN_ROUTE, server), body, { dpop });
  const token = (res.body as { accessToken?: unknown } | undefined)?.accessToken;
  if (res.status !== 200 || typeof token !== 'string') throw loginRefused('oci', res.status, res.body);
  printLogin(io, opts.json, token, res.body);
}
