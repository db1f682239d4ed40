/**
 * The responder, checked by an independent OCSP client: `openssl ocsp` builds the requests (with a nonce),
 * sends them, verifies the response signature and the responder's authority, and prints the status.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, type CertificateAuthority, type IssuedCertificate } from '../certs/index.js';
import { createOcspResponder, type OcspResponder } from './index.js';

const run = promisify(execFile);
let dir: string;
let root: CertificateAuthority;
let issuing: CertificateAuthority;
let responder: OcspResponder;
let delegated: OcspResponder;
const leaves: Record<string, IssuedCertificate> = {};

const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** `openssl ocsp` against `url` for `leaf`; returns everything it printed. */
async function ask(url: string, leaf: IssuedCertificate, extra: string[] = []): Promise<string> {
  const args = ['ocsp', '-issuer', join(dir, 'issuing.pem'), '-cert', file(`${leaf.serial}.pem`, leaf.certPem), '-url', url, '-CAfile', join(dir, 'root.pem'), '-timeout', '10', ...extra];
  return run('openssl', args).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-ocsp-'));
  root = await createCa({ commonName: 'OCSP Test Root', keyType: 'rsa' });
  issuing = await root.issueIntermediate({ commonName: 'OCSP Test Issuing' });
  file('root.pem', root.certPem);
  file('issuing.pem', issuing.certPem);
  for (const name of ['good', 'revoked', 'unregistered', 'stale', 'stranger', 'unauthorized', 'foreign', 'flipped', 'mismatch', 'no-nonce', 'wrong-nonce', 'garbage', 'later']) {
    leaves[name] = await issuing.issue({ commonName: name });
  }
  responder = await createOcspResponder({ issuers: [issuing] });
  responder.setStatus(leaves.good!.serial, 'good');
  responder.revoke(leaves.revoked!.serial, { reason: 1 });
  const behaviours = {
    stale: 'stale',
    stranger: 'wrong-signer',
    unauthorized: 'unauthorized-signer',
    foreign: 'foreign-delegate',
    flipped: 'bad-signature',
    mismatch: 'wrong-serial',
    'no-nonce': 'no-nonce',
    'wrong-nonce': 'wrong-nonce',
    garbage: 'garbage',
    later: 'try-later',
  } as const;
  for (const [leaf, behaviour] of Object.entries(behaviours)) {
    responder.setStatus(leaves[leaf]!.serial, 'good');
    responder.setBehaviour(leaves[leaf]!.serial, behaviour);
  }
  const delegate = await issuing.issue({ commonName: 'OCSP Delegate', extKeyUsage: ['OCSPSigning'], ocspNoCheck: true });
  delegated = await createOcspResponder({ issuers: [{ ca: issuing, delegate }], defaultStatus: 'good', responderId: 'byName' });
});

afterAll(async () => {
  await Promise.all([responder.close(), delegated.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('OCSP responder, as openssl ocsp sees it', () => {
  it('good, revoked and unknown, signed by the CA, nonce echoed', async () => {
    const good = await ask(responder.url, leaves.good!);
    expect(good).toContain('Response verify OK');
    expect(good).toMatch(/: good\n/);
    expect(good).not.toMatch(/WARNING/);
    const revoked = await ask(responder.url, leaves.revoked!);
    expect(revoked).toContain('Response verify OK');
    expect(revoked).toMatch(/: revoked\n/);
    expect(revoked).toContain('Reason: keyCompromise');
    const unknown = await ask(responder.url, leaves.unregistered!);
    expect(unknown).toContain('Response verify OK');
    expect(unknown).toMatch(/: unknown\n/);
    expect(responder.received.at(-1)).toMatchObject({ method: 'POST', serials: [leaves.unregistered!.serial], signed: false, nonce: expect.stringMatching(/^04/) });
  });

  it('a delegated responder (OCSPSigning, issued by the CA, named byName) is accepted', async () => {
    const out = await ask(delegated.url, leaves.good!);
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/: good\n/);
  });

  it.each([
    ['stranger', 'an unrelated key'],
    ['unauthorized', 'a CA-issued certificate without OCSPSigning'],
    ['foreign', 'an OCSPSigning certificate from another CA'],
    ['flipped', 'a flipped signature bit'],
  ])('%s: signed by %s → openssl refuses to verify', async (leaf) => {
    const out = await ask(responder.url, leaves[leaf]!);
    expect(out).toContain('Response Verify Failure');
    expect(out).not.toContain('Response verify OK');
  });

  it('stale answers carry past times (openssl warns)', async () => {
    const out = await ask(responder.url, leaves.stale!);
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/WARNING: Status times invalid/);
  });

  it('nonce left out or changed', async () => {
    expect(await ask(responder.url, leaves['no-nonce']!)).toMatch(/WARNING: no nonce in response/);
    expect(await ask(responder.url, leaves['wrong-nonce']!)).toMatch(/nonce verify error/i);
  });

  it('an answer for another serial is not an answer for this one', async () => {
    const out = await ask(responder.url, leaves.mismatch!);
    expect(out).toMatch(/No Status found/);
  });

  it('garbage and error statuses', async () => {
    expect(await ask(responder.url, leaves.garbage!)).toMatch(/Error querying OCSP responder|error/i);
    expect(await ask(responder.url, leaves.later!)).toMatch(/Responder Error: trylater \(3\)/);
  });

  it('answers GET requests (RFC 6960 A.1) like POST', async () => {
    const reqPath = join(dir, 'req.der');
    await run('openssl', ['ocsp', '-issuer', join(dir, 'issuing.pem'), '-cert', file('g.pem', leaves.good!.certPem), '-reqout', reqPath, '-no_nonce']);
    const encoded = encodeURIComponent(readFileSync(reqPath).toString('base64'));
    const res = await request(`${responder.url}/${encoded}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/ocsp-response');
    const respPath = join(dir, 'resp.der');
    writeFileSync(respPath, Buffer.from(await res.body.arrayBuffer()));
    const out = await run('openssl', ['ocsp', '-respin', respPath, '-issuer', join(dir, 'issuing.pem'), '-cert', join(dir, 'g.pem'), '-CAfile', join(dir, 'root.pem')]).then(
      (r) => r.stdout + r.stderr,
    );
    expect(out).toContain('Response verify OK');
    expect(out).toMatch(/: good\n/);
    expect(responder.received.at(-1)).toMatchObject({ method: 'GET', nonce: undefined });
  });

  it('a CA it does not serve gets `unauthorized`', async () => {
    const other = await createCa({ commonName: 'Unserved' });
    const leaf = await other.issue({ commonName: 'x' });
    const out = await run('openssl', ['ocsp', '-issuer', file('unserved.pem', other.certPem), '-cert', file('x.pem', leaf.certPem), '-url', responder.url, '-CAfile', join(dir, 'root.pem')]).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(out).toMatch(/Responder Error: unauthorized \(6\)/);
  });

  it('requireSignedRequests: unsigned → sigRequired; signed by a trusted requestor → answered; by anyone else → unauthorized', async () => {
    const requestor = await root.issue({ commonName: 'Requestor' });
    const untrusted = await root.issue({ commonName: 'Untrusted' });
    const strict = await createOcspResponder({ issuers: [issuing], defaultStatus: 'good', requireSignedRequests: true, trustedRequestors: [requestor] });
    try {
      expect(await ask(strict.url, leaves.good!)).toMatch(/Responder Error: sigrequired \(5\)/);
      const signedBy = (c: IssuedCertificate) => ['-signer', file(`${c.serial}-signer.pem`, c.certPem), '-signkey', file(`${c.serial}-key.pem`, c.keyPem)];
      const ok = await ask(strict.url, leaves.good!, signedBy(requestor));
      expect(ok).toContain('Response verify OK');
      expect(ok).toMatch(/: good\n/);
      expect(strict.received.at(-1)).toMatchObject({ signed: true });
      expect(await ask(strict.url, leaves.good!, signedBy(untrusted))).toMatch(/Responder Error: unauthorized \(6\)/);
    } finally {
      await strict.close();
    }
  });

  it('slow: holds the answer until released, and close() releases it', async () => {
    const slow = await createOcspResponder({ issuers: [issuing], defaultStatus: 'good' });
    slow.setBehaviour('*', 'slow');
    const pending = ask(slow.url, leaves.good!);
    while (slow.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(slow.calls).toBe(1);
    await slow.close();
    expect(await pending).not.toContain(': good');
  });
});
