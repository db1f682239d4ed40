import { describe, expect, it } from 'vitest';
import type { AuthError } from '../errors/auth-error.js';
import { normaliseScopes, parseScope, scopeAllows } from './scopes.js';

const RESOURCES = ['identities', 'users', 'alicloud-auth', 'oci-auth', 'tls-cert-auth'];

describe('admin scopes', () => {
  it('parses <resource>:<read|write> and nothing else', () => {
    expect(parseScope('identities:read')).toEqual({ resource: 'identities', action: 'read' });
    expect(parseScope('*:write')).toEqual({ resource: '*', action: 'write' });
    for (const bad of ['identities', 'identities:admin', ':read', 'Identities:read', 'identities:read ', 'a:b:c', 'x'.repeat(70) + ':read', '']) expect(parseScope(bad), bad).toBeNull();
  });

  it('write includes read of the same resource; * covers every resource; nothing else is implied', () => {
    const read = (resource: string) => ({ resource, action: 'read' as const });
    const write = (resource: string) => ({ resource, action: 'write' as const });
    expect(scopeAllows(['alicloud-auth:write'], read('alicloud-auth'))).toBe(true);
    expect(scopeAllows(['alicloud-auth:write'], write('alicloud-auth'))).toBe(true);
    expect(scopeAllows(['alicloud-auth:read'], write('alicloud-auth'))).toBe(false);
    expect(scopeAllows(['alicloud-auth:write'], write('oci-auth'))).toBe(false);
    expect(scopeAllows(['alicloud-auth:write'], read('identities'))).toBe(false);
    expect(scopeAllows(['*:read'], read('users'))).toBe(true);
    expect(scopeAllows(['*:read'], write('users'))).toBe(false);
    expect(scopeAllows(['*:write'], write('tls-cert-auth'))).toBe(true);
    expect(scopeAllows([], read('users'))).toBe(false);
    expect(scopeAllows(['garbage', 'users:read'], read('users'))).toBe(true);
  });

  it('a new credential\'s scopes are checked against the server\'s resources; the error names the scope', () => {
    expect(normaliseScopes(['identities:write', ' oci-auth:read ', 'identities:write'], RESOURCES)).toEqual(['identities:write', 'oci-auth:read']);
    const err = (scopes: string[]) => {
      try {
        normaliseScopes(scopes, RESOURCES);
      } catch (e) {
        return e as AuthError;
      }
      throw new Error('expected a refusal');
    };
    expect(err(['identities:read', 'kerberos-auth:write'])).toMatchObject({ kind: 'validation', fields: ['scopes.1'] });
    expect(err(['identities:read', 'kerberos-auth:write']).message).toMatch(/^scopes\.1: "kerberos-auth:write" names an unknown resource; this server has: \*, identities/);
    expect(err(['identities:admin']).message).toMatch(/^scopes\.0: "identities:admin" is not <resource>:<read\|write>/);
    expect(err([])).toMatchObject({ fields: ['scopes'] });
  });
});
