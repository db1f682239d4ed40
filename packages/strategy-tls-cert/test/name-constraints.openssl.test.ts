/**
 * Name constraints, decided by Gatehouse and by OpenSSL (`openssl verify`, the library Node's TLS uses) for the
 * same certificates: root → intermediate with the constraint → leaf with the names. Every combination of a
 * list of tricky bases and names, for each name form, permitted and excluded, critical and not (OpenSSL, like
 * Gatehouse, enforces both). Every verdict must agree, except the one divergence listed below on purpose.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCa, type CertificateAuthority, type GeneralName, type NameAttribute } from '@gatehouse-auth/testing/certs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPath } from '../src/build-path.js';
import { parseCertificate } from '../src/parse-certificate.js';

const run = promisify(execFile);
let dir: string;
let root: CertificateAuthority;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-nc-'));
  root = await createCa({ commonName: 'NC Differential Root' });
  writeFileSync(join(dir, 'root.pem'), root.certPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Verdict = 'ok' | 'not_permitted' | 'excluded' | 'unsupported';

/** OpenSSL's verdict: the `error N at depth` code of `openssl verify`. */
async function openssl(interPem: string, leafPem: string, id: number): Promise<Verdict | string> {
  const inter = join(dir, `i${id}.pem`);
  const leaf = join(dir, `l${id}.pem`);
  writeFileSync(inter, interPem);
  writeFileSync(leaf, leafPem);
  const result = await run('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', inter, leaf]).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
  );
  if (/: OK\s*$/.test(result)) return 'ok';
  const code = /error (\d+) at/.exec(result)?.[1];
  switch (code) {
    case '47':
      return 'not_permitted';
    case '48':
      return 'excluded';
    case '49':
    case '51':
    case '52':
    case '53':
      return 'unsupported';
    default:
      return `openssl: ${result.trim()}`;
  }
}

function gatehouse(interDer: Buffer, leafDer: Buffer, rootDer: Buffer): Verdict | string {
  const result = buildPath({ leaf: parseCertificate(leafDer), intermediates: [parseCertificate(interDer)], anchors: [parseCertificate(rootDer)], crls: [], now: new Date() });
  if (result.ok) return 'ok';
  switch (result.reason) {
    case 'name_not_permitted':
      return 'not_permitted';
    case 'name_excluded':
      return 'excluded';
    case 'name_constraints_unsupported':
      return 'unsupported';
    default:
      return result.reason;
  }
}

interface Case {
  label: string;
  constraint: { permitted?: GeneralName[]; excluded?: GeneralName[] };
  leaf: { subjectAltNames?: GeneralName[]; distinguishedName?: NameAttribute[] };
}

const DNS_BASES = ['example.com', '.example.com', 'EXAMPLE.com', 'b.example.com'];
const DNS_NAMES = ['example.com', 'a.example.com', 'a.b.example.com', 'badexample.com', 'Example.COM', 'example.com.evil', 'evil.test', 'com', '*.example.com'];
const EMAIL_BASES = ['example.com', '.example.com', 'alice@example.com', 'Alice@example.com'];
const EMAIL_NAMES = ['alice@example.com', 'bob@EXAMPLE.com', 'alice@a.example.com', 'Alice@example.com', 'alice@badexample.com', 'a@b@example.com'];
const URI_BASES = ['example.com', '.example.com', 'prod'];
const URI_NAMES = [
  'https://example.com/x',
  'https://a.example.com:8443/x',
  'spiffe://prod/ns/default/sa/api',
  'spiffe://PROD/ns',
  'https://user@example.com/',
  'https://badexample.com/',
  'urn:uuid:1234',
  'https://[2001:db8::1]/',
];
const IP_BASES = ['10.0.0.0/8', '10.1.2.0/24', '2001:db8::/32', '0.0.0.0/0'];
const IP_NAMES = ['10.1.2.3', '10.9.9.9', '11.0.0.1', '2001:db8::1', '2001:db9::1'];

function crossCases(form: 'dns' | 'email' | 'uri' | 'ip', bases: string[], names: string[]): Case[] {
  const cases: Case[] = [];
  for (const base of bases) {
    for (const name of names) {
      for (const side of ['permitted', 'excluded'] as const) {
        cases.push({
          label: `${form} ${side} ${base} vs ${name}`,
          constraint: { [side]: [{ type: form, value: base }] },
          leaf: { subjectAltNames: [{ type: form, value: name }] },
        });
      }
    }
  }
  return cases;
}

const dn = (...pairs: [NameAttribute['type'], string, NameAttribute['stringType']?][]): NameAttribute[] =>
  pairs.map(([type, value, stringType]) => (stringType ? { type, value, stringType } : { type, value }));

const CORP = dn(['C', 'US'], ['O', 'Corp']);
const directoryCases: Case[] = [
  ['inside', dn(['C', 'US'], ['O', 'Corp'], ['CN', 'api'])],
  ['other organisation', dn(['C', 'US'], ['O', 'Evil'], ['CN', 'api'])],
  ['case and spaces differ', dn(['C', 'US'], ['O', '  CORP '], ['CN', 'api'])],
  ['PrintableString instead of UTF8String', dn(['C', 'US'], ['O', 'Corp', 'printable'], ['CN', 'api'])],
  ['different order', dn(['O', 'Corp'], ['C', 'US'], ['CN', 'api'])],
  ['shorter than the base', dn(['C', 'US'])],
].flatMap(([label, subject]) =>
  (['permitted', 'excluded'] as const).map((side) => ({
    label: `directoryName ${side} C=US,O=Corp vs ${label as string}`,
    constraint: { [side]: [{ type: 'directoryName', value: CORP }] },
    leaf: { distinguishedName: subject as NameAttribute[] },
  })),
);

const mixedCases: Case[] = [
  {
    label: 'the issue: permitted example.com, SAN evil.test',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { subjectAltNames: [{ type: 'dns', value: 'evil.test' }] },
  },
  {
    label: 'one SAN inside, one outside',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { subjectAltNames: [{ type: 'dns', value: 'a.example.com' }, { type: 'dns', value: 'evil.test' }] },
  },
  {
    label: 'DNS constrained, URI unconstrained',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { subjectAltNames: [{ type: 'uri', value: 'spiffe://anything/x' }] },
  },
  {
    label: 'hostname-like CN without DNS SANs is held to DNS constraints',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { distinguishedName: dn(['CN', 'evil.test']) },
  },
  {
    label: 'hostname-like CN with a DNS SAN inside',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { distinguishedName: dn(['CN', 'evil.test']), subjectAltNames: [{ type: 'dns', value: 'a.example.com' }] },
  },
  {
    label: 'single-label CN is not a host name',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }] },
    leaf: { distinguishedName: dn(['CN', 'client-1']) },
  },
  {
    label: 'CN with a space is not a host name',
    constraint: { excluded: [{ type: 'dns', value: 'evil.test' }] },
    leaf: { distinguishedName: dn(['CN', 'x evil.test']) },
  },
  {
    label: 'CN excluded',
    constraint: { excluded: [{ type: 'dns', value: 'evil.test' }] },
    leaf: { distinguishedName: dn(['CN', 'a.evil.test']) },
  },
  {
    label: 'subject emailAddress held to email constraints',
    constraint: { permitted: [{ type: 'email', value: 'example.com' }] },
    leaf: { distinguishedName: dn(['CN', 'x'], ['emailAddress', 'mallory@evil.test']) },
  },
  {
    label: 'subject emailAddress excluded even with an email SAN',
    constraint: { excluded: [{ type: 'email', value: 'evil.test' }] },
    leaf: { distinguishedName: dn(['CN', 'x'], ['emailAddress', 'mallory@evil.test']), subjectAltNames: [{ type: 'email', value: 'a@example.com' }] },
  },
  {
    label: 'IPv4 SAN against IPv6-only permitted',
    constraint: { permitted: [{ type: 'ip', value: '2001:db8::/32' }] },
    leaf: { subjectAltNames: [{ type: 'ip', value: '10.0.0.1' }] },
  },
  {
    label: 'directoryName SAN against a directoryName constraint',
    constraint: { permitted: [{ type: 'directoryName', value: CORP }] },
    leaf: { distinguishedName: dn(['C', 'US'], ['O', 'Corp'], ['CN', 'a']), subjectAltNames: [{ type: 'directoryName', value: dn(['C', 'US'], ['O', 'Evil']) }] },
  },
  {
    label: 'registeredID constraint with a registeredID SAN (cannot be evaluated)',
    constraint: { permitted: [{ type: 'registeredId', value: '1.2.3.4' }] },
    leaf: { subjectAltNames: [{ type: 'registeredId', value: '1.2.3.4' }] },
  },
  {
    label: 'registeredID constraint, no such name in the leaf',
    constraint: { permitted: [{ type: 'registeredId', value: '1.2.3.4' }] },
    leaf: { subjectAltNames: [{ type: 'dns', value: 'a.example.com' }] },
  },
  {
    label: 'permitted and excluded together: inside the permitted, inside the excluded',
    constraint: { permitted: [{ type: 'dns', value: 'example.com' }], excluded: [{ type: 'dns', value: 'secret.example.com' }] },
    leaf: { subjectAltNames: [{ type: 'dns', value: 'x.secret.example.com' }] },
  },
];

/**
 * OpenSSL takes a URI's userinfo as part of its host (`user@example.com`), so `https://user@evil/` would escape an
 * excluded `evil`. Gatehouse reads the host as RFC 3986 (and Go) do: after the userinfo.
 */
const DIVERGENCES: Record<string, { gatehouse: Verdict; openssl: Verdict }> = {
  'uri permitted example.com vs https://user@example.com/': { gatehouse: 'ok', openssl: 'not_permitted' },
  'uri excluded example.com vs https://user@example.com/': { gatehouse: 'excluded', openssl: 'ok' },
};

const CASES: Case[] = [
  ...crossCases('dns', DNS_BASES, DNS_NAMES),
  ...crossCases('email', EMAIL_BASES, EMAIL_NAMES),
  ...crossCases('uri', URI_BASES, URI_NAMES),
  ...crossCases('ip', IP_BASES, IP_NAMES),
  ...directoryCases,
  ...mixedCases,
];

describe('name constraints: Gatehouse and OpenSSL agree', () => {
  for (const critical of [true, false]) {
    // Hundreds of openssl processes and certificates: seconds on a quiet machine, minutes on a busy one.
    it(`on ${CASES.length} cases with a ${critical ? 'critical' : 'non-critical'} extension`, { timeout: 600_000 }, async () => {
      const inters = new Map<string, CertificateAuthority>();
      const rows: { label: string; gatehouse: string; openssl: string }[] = [];
      let id = 0;
      const verdicts: Promise<void>[] = [];
      for (const c of CASES) {
        const key = JSON.stringify(c.constraint);
        let inter = inters.get(key);
        if (!inter) {
          inter = await root.issueIntermediate({ commonName: `NC ${inters.size}`, nameConstraints: { ...c.constraint, critical } });
          inters.set(key, inter);
        }
        const leaf = await inter.issue({ commonName: 'leaf', ...c.leaf });
        const n = id++;
        const issuer = inter;
        verdicts.push(
          openssl(issuer.certPem, leaf.certPem, n).then((theirs) => {
            rows[n] = { label: c.label, gatehouse: gatehouse(issuer.certDer, leaf.certDer, root.certDer), openssl: theirs };
          }),
        );
        if (verdicts.length % 8 === 0) await Promise.all(verdicts.splice(0));
      }
      await Promise.all(verdicts);
      const disagreements = rows.filter((r) => r.gatehouse !== r.openssl);
      expect(disagreements).toEqual(Object.entries(DIVERGENCES).map(([label, verdicts]) => ({ label, ...verdicts })));
      // Both outcomes occur: the list is not trivially all-accept or all-refuse.
      expect(new Set(rows.map((r) => r.gatehouse))).toEqual(new Set(['ok', 'not_permitted', 'excluded', 'unsupported']));
    });
  }
});
