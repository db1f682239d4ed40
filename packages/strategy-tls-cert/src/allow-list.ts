// The identity's allow-lists: CN globs and typed SAN patterns (globs for DNS/URI/email, CIDR for IP).
import { ipAllowed, parseCidr } from '@gatehouse-auth/core';
import { compileGlob, type Matcher } from './glob.js';
import type { SanType, SubjectAltName } from './parse-certificate.js';

/** Longer names never match: bounds the matcher's work whatever a certificate carries. */
const MAX_NAME_LENGTH = 1024;

export function compileCommonNames(patterns: readonly string[]): Matcher | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map((p) => compileGlob(p));
  return (cn) => cn.length <= MAX_NAME_LENGTH && matchers.some((m) => m(cn));
}

export interface SanPattern {
  type: SanType;
  pattern: string;
}

/** `dns:*.svc.cluster.local` → `{ type: 'dns', pattern: '*.svc.cluster.local' }`; throws with a reason otherwise. */
export function parseSanPattern(text: string): SanPattern {
  const colon = text.indexOf(':');
  const type = text.slice(0, colon).toLowerCase();
  const pattern = text.slice(colon + 1);
  if (colon <= 0 || !['dns', 'ip', 'uri', 'email'].includes(type)) {
    throw new Error('must start with dns:, ip:, uri: or email:');
  }
  if (pattern.length === 0) throw new Error('the pattern after the type is empty');
  switch (type) {
    case 'ip':
      try {
        parseCidr(pattern);
      } catch {
        throw new Error('ip: takes an IPv4/IPv6 address or CIDR range, not a glob');
      }
      break;
    case 'dns':
      if (!/^[A-Za-z0-9*._-]+$/.test(pattern)) throw new Error('dns: allows letters, digits, ".", "-", "_" and "*"');
      break;
    case 'email':
      if (pattern.split('@').length !== 2) throw new Error('email: needs exactly one "@"');
      break;
  }
  return { type: type as SanType, pattern };
}

export function compileSubjectAltNames(patterns: readonly string[]): ((sans: readonly SubjectAltName[]) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map((text) => sanMatcher(parseSanPattern(text)));
  return (sans) => sans.some((san) => san.value.length <= MAX_NAME_LENGTH && matchers.some((m) => m(san)));
}

function sanMatcher({ type, pattern }: SanPattern): (san: SubjectAltName) => boolean {
  switch (type) {
    case 'ip':
      return (san) => san.type === 'ip' && ipAllowed(san.value, [pattern]);
    case 'dns': {
      const match = compileGlob(pattern.replace(/\.$/, ''), { separator: '.', caseInsensitive: true });
      return (san) => san.type === 'dns' && !san.value.includes('/') && match(san.value.replace(/\.$/, ''));
    }
    case 'uri': {
      const match = compileGlob(pattern, { separator: '/' });
      return (san) => san.type === 'uri' && match(san.value);
    }
    case 'email': {
      const [localPattern, domainPattern] = pattern.split('@') as [string, string];
      const local = compileGlob(localPattern, { caseInsensitive: true });
      const domain = compileGlob(domainPattern, { separator: '.', caseInsensitive: true });
      return (san) => {
        if (san.type !== 'email') return false;
        const parts = san.value.split('@');
        return parts.length === 2 && local(parts[0]!) && domain(parts[1]!);
      };
    }
  }
}
