// Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c), §6.1.4 (g)), enforced whether the extension is critical
// or not, on every certificate below the constraining CA (configured CAs included). Matching follows the RFC
// and, where the RFC leaves room, OpenSSL (which the tests use as the reference): a leading "." means
// subdomains only; URIs are constrained by their host; hostname-like CNs of a leaf without dNSName SANs count
// as DNS names. Anything that cannot be evaluated fails closed.
import { children, DerError, isContext, type Asn1 } from './der.js';
import { describeName, readGeneralName, type DistinguishedName, type GeneralName } from './names.js';

/** A subtree base; `unsupported` for forms (or minimum/maximum, or an iPAddress of the wrong size) not evaluated here. */
export type Subtree =
  | { type: 'email'; local: string | undefined; host: string }
  | { type: 'dns' | 'uri'; host: string }
  | { type: 'ip'; bytes: Buffer }
  | { type: 'directoryName'; dn: DistinguishedName }
  | { type: 'unsupported'; form: NameForm };

export interface NameConstraints {
  readonly permitted: readonly Subtree[];
  readonly excluded: readonly Subtree[];
}

/** The forms of names; `tagN` for forms only recognised by their GeneralName tag. */
export type NameForm = 'email' | 'dns' | 'uri' | 'ip' | 'directoryName' | `tag${number}`;

/** Parses the extension value (the DER inside extnValue). */
export function readNameConstraints(node: Asn1): NameConstraints {
  const permitted: Subtree[] = [];
  const excluded: Subtree[] = [];
  for (const part of children(node, 'NameConstraints')) {
    const target = isContext(part, 0) ? permitted : isContext(part, 1) ? excluded : undefined;
    if (!target) throw new DerError('NameConstraints: unexpected field');
    const subtrees = children(part, 'GeneralSubtrees');
    if (subtrees.length === 0) throw new DerError('GeneralSubtrees: empty'); // SIZE (1..MAX)
    for (const subtree of subtrees) target.push(readSubtree(subtree));
  }
  if (permitted.length === 0 && excluded.length === 0) throw new DerError('NameConstraints: empty'); // RFC 5280 MUST NOT
  return { permitted, excluded };
}

function readSubtree(node: Asn1): Subtree {
  const [baseNode, ...rest] = children(node, 'GeneralSubtree');
  if (!baseNode) throw new DerError('GeneralSubtree: no base');
  const base = readGeneralName(baseNode);
  // minimum MUST be zero (DER: absent) and maximum MUST be absent; anything else cannot be evaluated.
  if (rest.length > 0) return { type: 'unsupported', form: formOf(base) };
  switch (base.type) {
    case 'dns':
      return { type: 'dns', host: hostKey(base.value) };
    case 'uri':
      return { type: 'uri', host: hostKey(base.value) };
    case 'email': {
      const at = base.value.lastIndexOf('@');
      return at === -1
        ? { type: 'email', local: undefined, host: hostKey(base.value) }
        : { type: 'email', local: base.value.slice(0, at), host: hostKey(base.value.slice(at + 1)) };
    }
    case 'ip':
      return base.bytes.length === 8 || base.bytes.length === 32 ? { type: 'ip', bytes: base.bytes } : { type: 'unsupported', form: 'ip' };
    case 'directoryName':
      return { type: 'directoryName', dn: base.dn };
    case 'other':
      return { type: 'unsupported', form: `tag${base.tag}` };
  }
}

function formOf(name: GeneralName): NameForm {
  return name.type === 'other' ? `tag${name.tag}` : name.type;
}

/** Lower case (ASCII, as DNS), one trailing dot dropped (`evil.test.` is `evil.test`). */
function hostKey(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase()).replace(/\.$/, '');
}

/** The names of one certificate that constraints apply to. */
export interface ConstrainedNames {
  /** Subject DN; empty when the subject is empty (then no directoryName check). */
  subject: DistinguishedName;
  /** emailAddress attributes of the subject DN. */
  subjectEmails: string[];
  /** Every subjectAltName entry, unmatchable forms included. */
  altNames: GeneralName[];
  /** Hostname-like subject CNs (leaf only, when it has no dNSName SAN). */
  commonNameHosts: string[];
}

/** A name, prepared for matching; `unreadable` when its form is known but this instance cannot be evaluated. */
type Candidate =
  | { form: 'email'; local: string; host: string; text: string }
  | { form: 'dns'; host: string; text: string }
  | { form: 'uri'; host: string | null; text: string }
  | { form: 'ip'; bytes: Buffer; text: string }
  | { form: 'directoryName'; dn: DistinguishedName; text: string }
  | { form: NameForm; unreadable: true; text: string };

const URI_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

function candidates(names: ConstrainedNames): Candidate[] {
  const out: Candidate[] = [];
  if (names.subject.length > 0) out.push({ form: 'directoryName', dn: names.subject, text: `subject:${names.subject.join(',')}` });
  for (const email of names.subjectEmails) out.push(emailCandidate(email));
  for (const name of names.altNames) {
    const text = describeName(name);
    switch (name.type) {
      case 'email':
        out.push(emailCandidate(name.value));
        break;
      case 'dns':
        out.push({ form: 'dns', host: hostKey(name.value), text });
        break;
      case 'uri': {
        const match = URI_AUTHORITY.exec(name.value);
        const authority = match?.[1];
        if (authority === undefined) {
          out.push({ form: 'uri', unreadable: true, text }); // no host to constrain (e.g. a URN)
          break;
        }
        const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
        if (hostPort.startsWith('[')) {
          out.push({ form: 'uri', host: null, text }); // an IP literal is never inside a host subtree
          break;
        }
        const host = hostPort.replace(/:\d*$/, '');
        // Percent-encoded or empty hosts could hide a name from an excluded subtree: not evaluated, fail closed.
        if (host.length === 0 || host.includes('%')) out.push({ form: 'uri', unreadable: true, text });
        else out.push({ form: 'uri', host: hostKey(host), text });
        break;
      }
      case 'ip':
        if (name.bytes.length === 4 || name.bytes.length === 16) out.push({ form: 'ip', bytes: name.bytes, text });
        else out.push({ form: 'ip', unreadable: true, text });
        break;
      case 'directoryName':
        out.push({ form: 'directoryName', dn: name.dn, text });
        break;
      case 'other':
        out.push({ form: `tag${name.tag}`, unreadable: true, text });
        break;
    }
  }
  for (const host of names.commonNameHosts) out.push({ form: 'dns', host: hostKey(host), text: `cn:${host}` });
  return out;
}

function emailCandidate(value: string): Candidate {
  const at = value.lastIndexOf('@');
  if (at <= 0) return { form: 'email', unreadable: true, text: `email:${value}` };
  return { form: 'email', local: value.slice(0, at), host: hostKey(value.slice(at + 1)), text: `email:${value}` };
}

function subtreeForm(subtree: Subtree): NameForm {
  return subtree.type === 'unsupported' ? subtree.form : subtree.type;
}

/** Host within a host/domain constraint, as for rfc822Name and URI: ".x" means strictly below x; else equal. */
function hostWithin(host: string, base: string): boolean {
  if (base.length === 0) return true;
  if (base.startsWith('.')) return host.length > base.length && host.endsWith(base);
  return host === base;
}

function within(name: Candidate, subtree: Subtree): boolean {
  if ('unreadable' in name) return false;
  switch (subtree.type) {
    case 'dns': {
      if (name.form !== 'dns') return false;
      const base = subtree.host;
      if (base.length === 0) return true;
      if (base.startsWith('.')) return name.host.length > base.length && name.host.endsWith(base);
      // Zero or more labels added on the left: `example.com` holds `example.com` and `a.example.com`, not `badexample.com`.
      return name.host === base || name.host.endsWith(`.${base}`);
    }
    case 'uri':
      return name.form === 'uri' && name.host !== null && hostWithin(name.host, subtree.host);
    case 'email':
      if (name.form !== 'email') return false;
      if (subtree.local !== undefined) {
        // A mailbox: the local part is case-sensitive, the host is not. `@host` names every mailbox on host.
        return (subtree.local === '' || subtree.local === name.local) && name.host === subtree.host;
      }
      return hostWithin(name.host, subtree.host);
    case 'ip': {
      if (name.form !== 'ip') return false;
      const size = name.bytes.length;
      if (subtree.bytes.length !== size * 2) return false;
      for (let i = 0; i < size; i++) {
        const mask = subtree.bytes[size + i]!;
        if ((name.bytes[i]! & mask) !== (subtree.bytes[i]! & mask)) return false;
      }
      return true;
    }
    case 'directoryName': {
      if (name.form !== 'directoryName') return false;
      const base = subtree.dn;
      return base.length <= name.dn.length && base.every((rdn, i) => rdn === name.dn[i]);
    }
    case 'unsupported':
      return false;
  }
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d), also checked as the IPv4 address against excluded subtrees. */
function mappedV4(name: Candidate): Candidate | undefined {
  if (name.form !== 'ip' || 'unreadable' in name || name.bytes.length !== 16) return undefined;
  const prefix = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
  if (!name.bytes.subarray(0, 12).equals(prefix)) return undefined;
  return { form: 'ip', bytes: name.bytes.subarray(12), text: name.text };
}

export type NameConstraintFailure = 'name_not_permitted' | 'name_excluded' | 'name_constraints_unsupported' | 'name_constraints_too_complex';

export interface NameConstraintVerdict {
  failure: NameConstraintFailure;
  /** The offending name, for the audit log (never a secret: it is in a certificate). */
  name?: string;
}

/** Upper bound on name × subtree comparisons for one path, as OpenSSL bounds it: a hostile chain costs no more. */
export const MAX_NAME_CHECKS = 1 << 20;

/**
 * Checks one certificate's names against the constraints of the CAs above it. A name must lie within a
 * permitted subtree of its own form of *every* constraint that has such subtrees (that is, within their
 * intersection), and within no excluded subtree. Forms a constraint does not mention are unconstrained.
 */
export function checkNames(
  names: ConstrainedNames,
  constraints: readonly NameConstraints[],
  budget: { checks: number },
): NameConstraintVerdict | undefined {
  if (constraints.length === 0) return undefined;
  const list = candidates(names);
  for (const nc of constraints) {
    budget.checks += (list.length + 1) * (nc.permitted.length + nc.excluded.length + 1);
    if (budget.checks > MAX_NAME_CHECKS) return { failure: 'name_constraints_too_complex' };
  }
  const formsPresent = new Set(list.map((n) => n.form));
  const unreadable = new Set(list.filter((n) => 'unreadable' in n).map((n) => n.form));
  for (const nc of constraints) {
    for (const subtree of [...nc.permitted, ...nc.excluded]) {
      const form = subtreeForm(subtree);
      // A constraint on a form this certificate uses, that cannot be evaluated for it: fail closed.
      if (unreadable.has(form) || (subtree.type === 'unsupported' && formsPresent.has(form))) {
        return { failure: 'name_constraints_unsupported', name: list.find((n) => n.form === form)?.text };
      }
    }
  }
  for (const name of list) {
    for (const nc of constraints) {
      const ofForm = nc.permitted.filter((s) => subtreeForm(s) === name.form);
      if (ofForm.length > 0 && !ofForm.some((s) => within(name, s))) return { failure: 'name_not_permitted', name: name.text };
      const v4 = mappedV4(name);
      for (const subtree of nc.excluded) {
        if (within(name, subtree) || (v4 !== undefined && within(v4, subtree))) return { failure: 'name_excluded', name: name.text };
      }
    }
  }
  return undefined;
}

export function isHostnameLike(value: string): boolean {
  // As OpenSSL's cn2dnsid: letters, digits, '_'; '-' and '.' only inside; at least two labels; no empty label.
  if (value.length === 0 || value.length > 253) return false;
  let dotted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < value.length - 1) {
      if (c === '-') continue;
      if (c === '.' && value[i + 1] !== '.' && value[i + 1] !== '-' && value[i - 1] !== '-') {
        dotted = true;
        continue;
      }
    }
    return false;
  }
  return dotted;
}
