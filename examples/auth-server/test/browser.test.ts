/**
 * The hosted login page in a real browser (Debian's Chromium via playwright-core): password login, password +
 * TOTP with a wrong code first, and the ECE-style console redirect flow. Screenshots go to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGatehouse, type Gatehouse } from '@gatehouse-auth/core';
import { createPasswordUser } from '@gatehouse-auth/core/password';
import { gatehouseFastify } from '@gatehouse-auth/fastify';
import { ecePasswordStrategy } from '@gatehouse-auth/strategy-ece-password';
import { idpMfaStrategy } from '@gatehouse-auth/strategy-idp-mfa';
import Fastify, { type FastifyInstance } from 'fastify';
import { generate, generateSecret } from 'otplib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginPage } from '../src/login-page.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/browser/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
// Cheap hashing keeps the browser test quick; the cost is tested where it matters (ece-password's suites).
const ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

let app: FastifyInstance;
let gatehouse: Gatehouse;
let browser: Browser;
let base: string;
const totpSecret = generateSecret({ length: 20 });

beforeAll(async () => {
  const executablePath = execFileSync('bash', [fileURLToPath(new URL('../../../scripts/ensure-chromium.sh', import.meta.url))], { encoding: 'utf8' }).trim();
  gatehouse = createGatehouse({
    strategies: [ecePasswordStrategy({ argon2: ARGON2 }), idpMfaStrategy({ password: { params: ARGON2 } })],
    issuer: { issuer: 'http://127.0.0.1', audience: 'console' },
  });
  const now = new Date();
  await createPasswordUser(gatehouse.stores, { username: 'alice', email: 'alice@example.com', password: PASSWORD, displayName: 'Alice' }, { now, params: ARGON2 });
  const bob = await createPasswordUser(gatehouse.stores, { username: 'bob', email: 'bob@example.com', password: PASSWORD, displayName: 'Bob' }, { now, params: ARGON2 });
  await gatehouse.stores.users.setMfa(bob.id, { totpSecret, pendingTotpSecret: null, pendingCreatedAt: null, enabled: true });

  app = Fastify();
  await app.register(gatehouseFastify, { gatehouse });
  await app.register(loginPage, { gatehouse, demo: true });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await gatehouse?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  return page;
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('hosted login page (Chromium)', () => {
  it('logs in with a password and shows the user; tokens stay in HttpOnly cookies', async () => {
    const page = await newPage();
    await signIn(page, 'alice@example.com', PASSWORD);
    await expect.poll(() => page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(true);
    expect(await page.locator('#user-email').textContent()).toBe('alice@example.com');
    const cookies = await page.context().cookies();
    const access = cookies.find((c) => c.name === 'access-token');
    expect(access).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).not.toContain('access-token');
    await gatehouse.issuer.verify(access!.value, { stateful: 'check' });
    await page.screenshot({ path: `${ARTIFACTS}password-login.png`, fullPage: true });
  });

  it('shows a clear error for a wrong password', async () => {
    const page = await newPage();
    await signIn(page, 'alice@example.com', 'wrong password');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/\S/);
    expect(await page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(false);
  });

  it('asks for a TOTP code, refuses a wrong one with a clear error, then accepts the right one', async () => {
    const page = await newPage();
    await signIn(page, 'bob@example.com', PASSWORD);
    const codeField = page.getByLabel('Code from your authenticator app');
    await expect.poll(() => codeField.isVisible()).toBe(true);
    const right = await generate({ secret: totpSecret });
    await codeField.fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(async () => (await alert.isVisible()) && (await alert.textContent())).toContain('not valid');
    await page.screenshot({ path: `${ARTIFACTS}mfa-wrong-code.png`, fullPage: true });
    await codeField.fill(await generate({ secret: totpSecret }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'You are signed in' }).isVisible()).toBe(true);
    expect(await page.locator('#user-mfa').textContent()).toBe('On');
    await page.screenshot({ path: `${ARTIFACTS}mfa-signed-in.png`, fullPage: true });
  });

  it('completes the console (ECE-style) redirect flow onto /sso/token', async () => {
    const page = await newPage();
    await page.getByLabel('Username', { exact: true }).fill('alice');
    await page.locator('#console-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in to the console' }).click();
    await page.waitForURL(/\/sso\/token/);
    await expect.poll(() => page.getByRole('heading', { name: 'Signed in to the console' }).isVisible()).toBe(true);
    expect(await page.locator('#continue').textContent()).toBe('/console/deployments');
    expect(page.url()).not.toContain('#'); // the token was cleared from the address bar
    await page.screenshot({ path: `${ARTIFACTS}console-redirect.png`, fullPage: true });
  });

  it('reports a wrong console password back on the login page', async () => {
    const page = await newPage();
    await page.getByLabel('Username', { exact: true }).fill('alice');
    await page.locator('#console-password').fill('nope');
    await page.getByRole('button', { name: 'Sign in to the console' }).click();
    await page.waitForURL(/\/login/);
    await expect.poll(async () => page.getByRole('alert').textContent()).toBe('The supplied authentication is invalid');
  });

  it('refuses a console form posted from another site (login CSRF)', async () => {
    const res = await fetch(`${base}/login/ece`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'username=alice&password=' + encodeURIComponent(PASSWORD),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?error=/);
  });
});
