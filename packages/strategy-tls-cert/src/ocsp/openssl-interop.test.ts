/**
 * Requests built here, answered by OpenSSL's own OCSP responder (`openssl ocsp -index … -reqin`), judged here:
 * the request encoding and the response reading are checked against an implementation that is not ours.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCa, type CertificateAuthority, type IssuedCertificate } from '@gatehouse-auth/testing/certs';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../parse-certificate.js';
import { certIdentity } from './cert-id.js';
import { buildRequest } from './request.js';
import { judgeResponse } from './response.js';

const run = promisify(execFile);
let dir: string;
let ca: CertificateAuthority;
let good: IssuedCertificate;
let revoked: IssuedCertificate;
let unlisted: IssuedCertificate;
let delegate: IssuedCertificate;

/** openssl's index.txt date: YYMMDDHHMMSSZ. */
const indexDate = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-ocsp-openssl-'));
  ca = await createCa({ commonName: 'Interop CA', keyType: 'rsa' });
  good = await ca.issue({ commonName: 'good' });
  revoked = await ca.issue({ commonName: 'revoked' });
  unlisted = await ca.issue({ commonName: 'unlisted' });
  delegate = await ca.issue({ commonName: 'Interop Responder', extKeyUsage: ['OCSPSigning'], ocspNoCheck: true });
  const expiry = indexDate(new Date(Date.now() + 365 * 86_400_000));
  writeFileSync(
    join(dir, 'index.txt'),
    `V\t${expiry}\t\t${good.serial}\tunknown\t/CN=good\nR\t${expiry}\t${indexDate(new Date(Date.now() - 3600_000))},keyCompromise\t${revoked.serial}\tunknown\t/CN=revoked\n`,
  );
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'ca.key'), ca.keyPem);
  writeFileSync(join(dir, 'delegate.pem'), delegate.certPem);
  writeFileSync(join(dir, 'delegate.key'), delegate.keyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function answeredByOpenssl(cert: IssuedCertificate, options: { nonce?: Buffer; signer?: 'ca' | 'delegate'; byKey?: boolean } = {}) {
  const leaf = parseCertificate(cert.certDer);
  const issuer = parseCertificate(ca.certDer);
  const id = certIdentity(leaf, issuer);
  writeFileSync(join(dir, 'req.der'), buildRequest(id, options.nonce ? { nonce: options.nonce } : {}));
  const signer = options.signer ?? 'ca';
  await run('openssl', [
    'ocsp',
    '-index', join(dir, 'index.txt'),
    '-CA', join(dir, 'ca.pem'),
    '-rsigner', join(dir, `${signer}.pem`),
    '-rkey', join(dir, `${signer}.key`),
    '-reqin', join(dir, 'req.der'),
    '-respout', join(dir, 'resp.der'),
    '-ndays', '1',
    ...(options.byKey ? ['-resp_key_id'] : []),
  ]);
  return judgeResponse({
    der: readFileSync(join(dir, 'resp.der')),
    id,
    issuer,
    nonce: options.nonce ? Buffer.from(AsnConvert.serialize(new OctetString(options.nonce))) : undefined,
    now: new Date(),
    skewMs: 300_000,
    maxAgeMs: 0,
  });
}

describe('OpenSSL answers our requests; we judge its answers', () => {
  it('good, revoked and unknown (a serial not in its index), signed by the CA, responder named byName', async () => {
    expect(await answeredByOpenssl(good)).toMatchObject({ kind: 'status', status: 'good' });
    expect(await answeredByOpenssl(revoked)).toMatchObject({ kind: 'status', status: 'revoked' });
    expect(await answeredByOpenssl(unlisted)).toEqual({ kind: 'failure', reason: 'ocsp_unknown' });
  });

  it('a delegated responder, named byKey, and our nonce echoed back', async () => {
    const nonce = Buffer.alloc(32, 7);
    expect(await answeredByOpenssl(good, { signer: 'delegate', byKey: true, nonce })).toMatchObject({ kind: 'status', status: 'good' });
  });

  it('nextUpdate from -ndays is read (the answer is cacheable)', async () => {
    const answer = await answeredByOpenssl(good);
    expect(answer.kind === 'status' && answer.nextUpdate !== undefined && answer.nextUpdate.getTime() - answer.thisUpdate.getTime()).toBe(86_400_000);
  });

  it('signed by a certificate of the CA without OCSPSigning: not authorised', async () => {
    const plain = await ca.issue({ commonName: 'not a responder' });
    writeFileSync(join(dir, 'plain.pem'), plain.certPem);
    writeFileSync(join(dir, 'plain.key'), plain.keyPem);
    expect(await answeredByOpenssl(good, { signer: 'plain' as 'ca' })).toMatchObject({ kind: 'failure', reason: 'ocsp_responder_unauthorized' });
  });
});
