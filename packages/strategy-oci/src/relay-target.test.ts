import { describe, expect, it } from 'vitest';
import { identityHostParser } from './identity-host.js';
import { compileRelayOverride, relayUrl } from './relay-target.js';

const parse = identityHostParser(['oraclecloud.com']);
const ashburn = parse('identity.us-ashburn-1.oraclecloud.com')!;
const phoenix = parse('identity.us-phoenix-1.oraclecloud.com')!;
const user = 'ocid1.user.oc1..aaaaaaaauser';

describe('relayUrl', () => {
  it('is https://<validated host>/20160918/users/<encoded OCID> without an override', () => {
    expect(relayUrl(ashburn, user, new Map()).href).toBe(`https://identity.us-ashburn-1.oraclecloud.com/20160918/users/${user}`);
    expect(relayUrl(ashburn, 'a/../b?c#d', new Map()).pathname).toBe('/20160918/users/a%2F..%2Fb%3Fc%23d');
  });

  it('uses an override only for the host it names', () => {
    const overrides = compileRelayOverride({ origins: { [ashburn.host]: 'http://127.0.0.1:4321' } }, parse, 'test');
    expect(relayUrl(ashburn, user, overrides).href).toBe(`http://127.0.0.1:4321/20160918/users/${user}`);
    expect(relayUrl(phoenix, user, overrides).origin).toBe('https://identity.us-phoenix-1.oraclecloud.com');
  });
});

describe('compileRelayOverride', () => {
  const origin = 'http://127.0.0.1:4321';

  it('refuses keys that are not OCI identity hosts of an allowed realm', () => {
    for (const host of ['127.0.0.1', 'evil.com', 'identity.us-ashburn-1.oraclecloud.com.evil.com', 'identity.us-langley-1.oraclegovcloud.com', 'identity.us-ashburn-1.oraclecloud.com:443']) {
      expect(() => compileRelayOverride({ origins: { [host]: origin } }, parse, 'test')).toThrow(/not an OCI Identity host/);
    }
  });

  it('refuses targets that are not bare http(s) origins', () => {
    for (const target of ['127.0.0.1:4321', 'ftp://127.0.0.1', 'http://127.0.0.1:4321/path', 'http://u:p@127.0.0.1:4321', 'http://127.0.0.1:4321/?q', 'file:///etc/passwd']) {
      expect(() => compileRelayOverride({ origins: { [ashburn.host]: target } }, parse, 'test')).toThrow(TypeError);
    }
  });

  it('is refused in production unless explicitly allowed', () => {
    expect(() => compileRelayOverride({ origins: { [ashburn.host]: origin } }, parse, 'production')).toThrow(/NODE_ENV=production/);
    expect(compileRelayOverride({ origins: { [ashburn.host]: origin }, allowInProduction: true }, parse, 'production').get(ashburn.host)).toBe(origin);
    expect(compileRelayOverride(undefined, parse, 'production').size).toBe(0);
  });
});
