/**
 * Seeds the demo identities and users, idempotently: identities keep the ids in the demo materials and
 * users are looked up before they are created, so a restart finds and keeps what the first start made.
 * Method configs are written through `GatehouseAdmin`, so each is validated by its strategy.
 */
import type { Gatehouse } from '@gatehouse-auth/core';
import { createPasswordUser, normaliseEmail, normaliseUsername } from '@gatehouse-auth/core/password';
import { hashRecoveryCode } from '@gatehouse-auth/strategy-idp-mfa';
import type { DemoMaterials } from './materials.js';

export interface SeedReport {
  identitiesCreated: number;
  usersCreated: number;
  adminTokensCreated: number;
}

async function ensureIdentity(gatehouse: Gatehouse, id: string, name: string): Promise<boolean> {
  if (await gatehouse.stores.identities.get(id)) return false;
  await gatehouse.admin.createIdentity({ id, name });
  return true;
}

export function demoMethodConfigs(m: DemoMaterials) {
  return {
    alicloud: { allowedArns: [m.alicloud.arn] },
    oci: { tenancyOcid: m.oci.tenancyOcid, allowedUsernames: [m.oci.username] },
    'tls-cert': { caCertificates: [m.tls.caCertPem], allowedCommonNames: [m.tls.clientCommonName] },
  } as const;
}

export async function seedDemo(gatehouse: Gatehouse, m: DemoMaterials, enabled: ReadonlySet<string>): Promise<SeedReport> {
  const report: SeedReport = { identitiesCreated: 0, usersCreated: 0, adminTokensCreated: 0 };
  const configs = demoMethodConfigs(m);
  const identities = [
    { method: 'alicloud', id: m.alicloud.identityId, name: 'demo-alicloud-machine' },
    { method: 'oci', id: m.oci.identityId, name: 'demo-oci-machine' },
    { method: 'tls-cert', id: m.tls.identityId, name: 'demo-tls-machine' },
  ] as const;
  for (const { method, id, name } of identities) {
    if (await ensureIdentity(gatehouse, id, name)) report.identitiesCreated++;
    // Rewritten on every start (an upsert): renewed demo certificates take effect at once.
    if (enabled.has(method)) await gatehouse.admin.attachMethod(id, method, configs[method]);
  }

  const users = gatehouse.stores.users;
  const now = gatehouse.clock.now();
  const { operator, alice, mfa } = m.users;
  if (!(await users.getByUsername(normaliseUsername(operator.username)))) {
    await createPasswordUser(gatehouse.stores, { username: operator.username, password: operator.password, displayName: 'Demo Operator' }, { now });
    report.usersCreated++;
  }
  if (!(await users.getByEmail(normaliseEmail(alice.email)))) {
    await createPasswordUser(gatehouse.stores, { username: alice.email, email: alice.email, password: alice.password, displayName: 'Alice (demo)' }, { now });
    report.usersCreated++;
  }
  let mfaUser = await users.getByEmail(normaliseEmail(mfa.email));
  if (!mfaUser) {
    mfaUser = await createPasswordUser(gatehouse.stores, { username: mfa.email, email: mfa.email, password: mfa.password, displayName: 'MFA user (demo)' }, { now });
    report.usersCreated++;
    await users.setMfa(mfaUser.id, { totpSecret: mfa.totpSecret, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });
    await users.replaceRecoveryCodes(mfaUser.id, mfa.recoveryCodes.map(hashRecoveryCode));
  }
  // The demo admin token (every scope), when the admin API is served: kept across restarts like the rest.
  const admin = m.admin;
  if (admin && gatehouse.routes().some((r) => r.endpoint.id.startsWith('admin.')) && !(await gatehouse.stores.adminCredentials.get(admin.credentialId))) {
    await gatehouse.admin.createAdminCredential({ id: admin.credentialId, name: 'demo admin (every scope)', scopes: ['*:write'], token: admin.token });
    report.adminTokensCreated++;
  }
  return report;
}
