/**
 * Demo credentials: made once per data folder and kept in `<dataDir>/demo/materials.json` (owner-only),
 * so a restart finds the same identities, keys and certificates. The files the printed CLI commands read
 * (credential files, an OCI config, certificates, password files) are written next to it on every start.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createCa } from '@gatehouse-auth/testing/certs';
import { createOciTestUser } from '@gatehouse-auth/testing/oci';
import { generateRecoveryCodes, newTotpSecret } from '@gatehouse-auth/strategy-idp-mfa';
import { generateAdminToken } from '@gatehouse-auth/core';

export const DEMO_DIR = 'demo';
const MATERIALS_FILE = 'materials.json';
/** Certificates are renewed when they expire within this window. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

const tlsSchema = z.object({
  caCertPem: z.string(),
  serverCertPem: z.string(),
  serverKeyPem: z.string(),
  clientCertPem: z.string(),
  clientKeyPem: z.string(),
  clientCommonName: z.string(),
});

const materialsSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  alicloud: z.object({
    identityId: z.string(),
    accessKeyId: z.string(),
    accessKeySecret: z.string(),
    accountId: z.string(),
    principalId: z.string(),
    arn: z.string(),
  }),
  oci: z.object({
    identityId: z.string(),
    userOcid: z.string(),
    tenancyOcid: z.string(),
    username: z.string(),
    fingerprint: z.string(),
    publicKeyPem: z.string(),
    privateKeyPem: z.string(),
    region: z.string(),
  }),
  tls: tlsSchema.extend({ identityId: z.string() }),
  users: z.object({
    operator: z.object({ username: z.string(), password: z.string() }),
    alice: z.object({ email: z.string(), password: z.string() }),
    mfa: z.object({ email: z.string(), password: z.string(), totpSecret: z.string(), recoveryCodes: z.array(z.string()) }),
  }),
  /** Added after the first release: older data folders get one on their next start. */
  introspectionSecret: z.string().min(16).optional(),
  /** Added with the admin API: older data folders get one on their next start. Every scope (`*:write`). */
  admin: z.object({ credentialId: z.string(), token: z.string() }).optional(),
  idp: z.object({
    clientId: z.string(),
    clientSecret: z.string(),
    cookieKey: z.string(),
    account: z.object({ sub: z.string(), email: z.string(), name: z.string() }),
  }),
});

export type DemoMaterials = z.output<typeof materialsSchema>;

/** Paths of the files the printed commands use. */
export interface DemoFiles {
  dir: string;
  alicloudCredentials: string;
  ociConfig: string;
  ociKey: string;
  tlsCa: string;
  tlsClientCert: string;
  tlsClientKey: string;
  tlsServerCert: string;
  tlsServerKey: string;
  operatorPassword: string;
  alicePassword: string;
  mfaPassword: string;
  mfaTotpSecret: string;
  mfaRecoveryCodes: string;
  introspectionSecret: string;
  adminToken: string;
}

const password = () => randomBytes(18).toString('base64url');
const newIntrospectionSecret = () => randomBytes(24).toString('base64url');
const newAdminMaterials = () => ({ credentialId: randomUUID(), token: generateAdminToken() });
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

async function makeTls(): Promise<z.output<typeof tlsSchema>> {
  const ca = await createCa({ commonName: 'Gatehouse Demo CA', keyType: 'ec' });
  const server = await ca.issue({
    commonName: 'localhost',
    extKeyUsage: ['serverAuth'],
    subjectAltNames: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ],
  });
  const clientCommonName = 'demo-machine.gatehouse.test';
  const client = await ca.issue({ commonName: clientCommonName, extKeyUsage: ['clientAuth'] });
  return {
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    clientCertPem: client.certPem,
    clientKeyPem: client.keyPem,
    clientCommonName,
  };
}

async function makeMaterials(): Promise<DemoMaterials> {
  const accountId = digits(16);
  const oci = createOciTestUser({ name: 'demo-machine' });
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    alicloud: {
      identityId: randomUUID(),
      accessKeyId: `LTAI${randomBytes(12).toString('hex').slice(0, 20)}`,
      accessKeySecret: randomBytes(22).toString('base64url').slice(0, 30),
      accountId,
      principalId: digits(17),
      arn: `acs:ram::${accountId}:user/demo-machine`,
    },
    oci: {
      identityId: randomUUID(),
      userOcid: oci.id,
      tenancyOcid: oci.tenancyId,
      username: oci.name,
      fingerprint: oci.fingerprint,
      publicKeyPem: oci.publicKeyPem,
      privateKeyPem: oci.privateKeyPem,
      region: 'us-ashburn-1',
    },
    tls: { identityId: randomUUID(), ...(await makeTls()) },
    users: {
      operator: { username: 'operator', password: password() },
      alice: { email: 'alice@demo.gatehouse.test', password: password() },
      mfa: { email: 'mfa@demo.gatehouse.test', password: password(), totpSecret: newTotpSecret(), recoveryCodes: generateRecoveryCodes(10) },
    },
    introspectionSecret: newIntrospectionSecret(),
    admin: newAdminMaterials(),
    idp: {
      clientId: 'gatehouse-demo',
      clientSecret: randomBytes(32).toString('base64url'),
      cookieKey: randomBytes(32).toString('base64url'),
      account: { sub: 'idp-user-1', email: 'sso@demo.gatehouse.test', name: 'Demo SSO User' },
    },
  };
}

function expiresSoon(pem: string): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() - Date.now() < RENEW_BEFORE_MS;
  } catch {
    return true;
  }
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file: make sure it is owner-only.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

export function demoFiles(dataDir: string): DemoFiles {
  const dir = join(dataDir, DEMO_DIR);
  return {
    dir,
    alicloudCredentials: join(dir, 'alicloud-credentials.json'),
    ociConfig: join(dir, 'oci', 'config'),
    ociKey: join(dir, 'oci', 'api-key.pem'),
    tlsCa: join(dir, 'tls', 'ca.pem'),
    tlsClientCert: join(dir, 'tls', 'client.pem'),
    tlsClientKey: join(dir, 'tls', 'client-key.pem'),
    tlsServerCert: join(dir, 'tls', 'server.pem'),
    tlsServerKey: join(dir, 'tls', 'server-key.pem'),
    operatorPassword: join(dir, 'users', 'operator.password'),
    alicePassword: join(dir, 'users', 'alice.password'),
    mfaPassword: join(dir, 'users', 'mfa.password'),
    mfaTotpSecret: join(dir, 'users', 'mfa.totp-secret'),
    mfaRecoveryCodes: join(dir, 'users', 'mfa.recovery-codes'),
    introspectionSecret: join(dir, 'introspection.secret'),
    adminToken: join(dir, 'admin.token'),
  };
}

/** Loads the demo materials of this data folder, making them on first start. */
export async function loadOrCreateMaterials(dataDir: string): Promise<{ materials: DemoMaterials; created: boolean; renewedTls: boolean }> {
  const dir = join(dataDir, DEMO_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, MATERIALS_FILE);
  let existing: DemoMaterials | null = null;
  try {
    existing = materialsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`demo materials in ${file} are unreadable; delete the data folder's demo/ directory to start afresh`);
    }
  }
  let materials = existing ?? (await makeMaterials());
  let renewedTls = false;
  if (existing && [existing.tls.caCertPem, existing.tls.serverCertPem, existing.tls.clientCertPem].some(expiresSoon)) {
    materials = { ...existing, tls: { identityId: existing.tls.identityId, ...(await makeTls()) } };
    renewedTls = true;
  }
  let upgraded = false;
  if (!materials.introspectionSecret) {
    materials = { ...materials, introspectionSecret: newIntrospectionSecret() };
    upgraded = true;
  }
  if (!materials.admin) {
    materials = { ...materials, admin: newAdminMaterials() };
    upgraded = true;
  }
  if (!existing || renewedTls || upgraded) writeSecret(file, JSON.stringify(materials, null, 2) + '\n');
  return { materials, created: !existing, renewedTls };
}

/** (Re)writes the files the printed commands read. All owner-only. */
export function writeDemoFiles(dataDir: string, m: DemoMaterials): DemoFiles {
  const f = demoFiles(dataDir);
  for (const sub of ['oci', 'tls', 'users']) mkdirSync(join(f.dir, sub), { recursive: true, mode: 0o700 });
  writeSecret(f.alicloudCredentials, JSON.stringify({ accessKeyId: m.alicloud.accessKeyId, accessKeySecret: m.alicloud.accessKeySecret }, null, 2) + '\n');
  writeSecret(f.ociKey, m.oci.privateKeyPem);
  // The OCI CLI/SDK config file format, so the same file works with Oracle's own tools.
  writeSecret(
    f.ociConfig,
    ['[DEFAULT]', `user=${m.oci.userOcid}`, `fingerprint=${m.oci.fingerprint}`, `tenancy=${m.oci.tenancyOcid}`, `region=${m.oci.region}`, `key_file=${f.ociKey}`, ''].join('\n'),
  );
  writeSecret(f.tlsCa, m.tls.caCertPem);
  writeSecret(f.tlsClientCert, m.tls.clientCertPem);
  writeSecret(f.tlsClientKey, m.tls.clientKeyPem);
  writeSecret(f.tlsServerCert, m.tls.serverCertPem);
  writeSecret(f.tlsServerKey, m.tls.serverKeyPem);
  writeSecret(f.operatorPassword, m.users.operator.password + '\n');
  writeSecret(f.alicePassword, m.users.alice.password + '\n');
  writeSecret(f.mfaPassword, m.users.mfa.password + '\n');
  writeSecret(f.mfaTotpSecret, m.users.mfa.totpSecret + '\n');
  writeSecret(f.mfaRecoveryCodes, m.users.mfa.recoveryCodes.join('\n') + '\n');
  writeSecret(f.introspectionSecret, m.introspectionSecret! + '\n');
  writeSecret(f.adminToken, m.admin!.token + '\n');
  return f;
}
