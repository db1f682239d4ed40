import { describe, expect, it } from 'vitest';
import { identityHostParser, normaliseRealmDomains } from './identity-host.js';

describe('identityHostParser (the SSRF guard)', () => {
  const parse = identityHostParser(['oraclecloud.com']);

  it.each([
    ['identity.us-ashburn-1.oraclecloud.com', 'us-ashburn-1'],
    ['identity.eu-frankfurt-1.oraclecloud.com', 'eu-frankfurt-1'],
    ['identity.me-dcc-muscat-1.oraclecloud.com', 'me-dcc-muscat-1'],
    ['identity.ap-chuncheon-1.oci.oraclecloud.com', 'ap-chuncheon-1'],
  ])('accepts %s', (host, region) => {
    expect(parse(host)).toEqual({ host, region, realmDomain: 'oraclecloud.com' });
  });

  it.each([
    '127.0.0.1',
    'localhost',
    '[::1]',
    'evil.com',
    'oraclecloud.com',
    'identity.oraclecloud.com',
    'identity.us-ashburn-1.oraclecloud.com.evil.com',
    'identity.us-ashburn-1.oraclecloud.com:443',
    'identity.us-ashburn-1.oraclecloud.com:8080',
    'user@identity.us-ashburn-1.oraclecloud.com',
    'user:pass@identity.us-ashburn-1.oraclecloud.com',
    'evil.com@identity.us-ashburn-1.oraclecloud.com',
    'identity.us-ashburn-1.oraclecloud.com@evil.com',
    'identity.us-ashburn-1.oraclecloud.com.',
    'identity.us-ashburn-1.oraclecloud.com/x',
    'identity.us-ashburn-1.oraclecloud.com?x',
    'identity.us-ashburn-1.oraclecloud.com#x',
    'identity.us-ashburn-1.oraclecloud.com\n',
    'identity.us-ashburn-1.oraclecloud.com\r\nx-evil: 1',
    ' identity.us-ashburn-1.oraclecloud.com',
    'identity.us-ashburn-1.oraclecloud.com ',
    'IDENTITY.US-ASHBURN-1.ORACLECLOUD.COM',
    'Identity.us-ashburn-1.oraclecloud.com',
    'identity.us-ashburn-1.oracIecloud.com', // capital I for l
    'іdentity.us-ashburn-1.oraclecloud.com', // Cyrillic і
    'identity.us-ashburn-1.oraclecloud。com', // ideographic full stop
    'identity.us-ashburn-1.oraclecloud%2ecom',
    'xn--dentity-m5h.us-ashburn-1.oraclecloud.com',
    'identity.us-ashburn-1.oraclecloudXcom', // an unescaped dot would match this
    'identity.us-ashburn-1.evil.oraclecloud.com',
    'identity.us-ashburn-1.oraclegovcloud.com', // realm not allowed here
    'auth.us-ashburn-1.oraclecloud.com',
    'identity.us-ashburn.oraclecloud.com',
    'identity.127.0.0.1.oraclecloud.com',
    'identity..oraclecloud.com',
    `identity.${'a-'.repeat(130)}1.oraclecloud.com`,
  ])('refuses %j', (host) => {
    expect(parse(host)).toBeNull();
  });

  it('accepts other realms only when configured', () => {
    const gov = identityHostParser(normaliseRealmDomains(['oraclecloud.com', 'OracleGovCloud.com']));
    expect(gov('identity.us-langley-1.oraclegovcloud.com')?.realmDomain).toBe('oraclegovcloud.com');
    expect(gov('identity.us-ashburn-1.oraclecloud.com')?.realmDomain).toBe('oraclecloud.com');
    expect(gov('identity.uk-gov-london-1.oraclegovcloud.uk')).toBeNull();
  });
});

describe('normaliseRealmDomains', () => {
  it('lower-cases and dedupes', () => {
    expect(normaliseRealmDomains(['oraclecloud.com', 'ORACLECLOUD.com', 'oraclegovcloud.uk'])).toEqual(['oraclecloud.com', 'oraclegovcloud.uk']);
  });

  it.each([[[]], [['*.oraclecloud.com']], [['com']], [['oraclecloud.com/']], [['oraclecloud.com:443']], [['.oraclecloud.com']], [['oracle cloud.com']]])(
    'refuses %j',
    (domains) => {
      expect(() => normaliseRealmDomains(domains)).toThrow(TypeError);
    },
  );
});
