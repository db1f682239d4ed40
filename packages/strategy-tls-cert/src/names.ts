// Names as name constraints see them (RFC 5280 §4.2.1.10): distinguished names in a canonical form (RFC 4518
// in short: NFKC, case folded, inner whitespace collapsed), and GeneralNames read from a subjectAltName or a
// name-constraints subtree. Only the forms Gatehouse can match are decoded; the others keep their tag, so a
// constraint on them can fail closed.
import forge from 'node-forge';
import { bytesOf, children, DerError, encode, isUniversal, oidOf, TYPE, type Asn1 } from './der.js';
import { ipFromBytes } from './ip.js';

/** One RDN: its attributes as `oid=canonical value`, sorted (an RDN is a set). */
export type Rdn = string;
/** A distinguished name as its RDNs in order, most significant first. */
export type DistinguishedName = Rdn[];

export const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

// UTF8String, NumericString, PrintableString, TeletexString, IA5String, VisibleString, UniversalString, BMPString
const STRING_TYPES = new Set<number>([12, 18, 19, 20, 22, 26, 28, 30]);

/** Decodes an attribute value of any directory string type; undefined for a value that is not a string. */
export function directoryString(node: Asn1): string | undefined {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || !STRING_TYPES.has(node.type) || typeof node.value !== 'string') return undefined;
  const raw = Buffer.from(node.value, 'binary');
  switch (node.type as number) {
    case 12:
      return raw.toString('utf8');
    case 30:
      // forge already decodes BMPString contents to text
      return node.value;
    case 28: {
      // UniversalString: UCS-4 big-endian
      let text = '';
      for (let i = 0; i + 3 < raw.length; i += 4) text += String.fromCodePoint(raw.readUInt32BE(i));
      return text;
    }
    default:
      return raw.toString('latin1');
  }
}

/** RFC 4518 in the form OpenSSL and Go use it for comparison: NFKC, lower case, one inner space, no outer ones. */
export function canonicalString(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Name → canonical RDNs; also returns the emailAddress attribute values (rfc822Name constraints apply to them). */
export function readName(name: Asn1, what: string): { dn: DistinguishedName; emails: string[] } {
  const dn: DistinguishedName = [];
  const emails: string[] = [];
  for (const rdn of children(name, what)) {
    const parts: string[] = [];
    for (const atv of children(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = children(atv, 'AttributeTypeAndValue');
      const oid = oidOf(type, 'AttributeType');
      if (!value) throw new DerError('AttributeValue');
      const text = directoryString(value);
      if (oid === OID_EMAIL_ADDRESS && text !== undefined) emails.push(text);
      // Non-string values compare by their DER encoding.
      parts.push(`${oid}=${text === undefined ? `#${encode(value).toString('hex')}` : `'${canonicalString(text)}`}`);
    }
    dn.push(parts.sort().join('+'));
  }
  return { dn, emails };
}

/**
 * A GeneralName Gatehouse can match, or `other` with the GeneralName tag (otherName 0, x400Address 3,
 * ediPartyName 5, registeredID 8) — or a name of a known form that could not be read (e.g. an iPAddress of 5
 * bytes), which is kept as `other` too, so a constraint on its form fails closed.
 */
export type GeneralName =
  | { type: 'email' | 'dns' | 'uri'; value: string }
  | { type: 'ip'; bytes: Buffer }
  | { type: 'directoryName'; dn: DistinguishedName }
  | { type: 'other'; tag: number };

export const GENERAL_NAME_TAGS = { email: 1, dns: 2, directoryName: 4, uri: 6, ip: 7 } as const;

export function readGeneralName(node: Asn1): GeneralName {
  if (node.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC) throw new DerError('GeneralName: expected a context tag');
  switch (node.type) {
    case 1:
      return { type: 'email', value: bytesOf(node, 'rfc822Name').toString('latin1') };
    case 2:
      return { type: 'dns', value: bytesOf(node, 'dNSName').toString('latin1') };
    case 6:
      return { type: 'uri', value: bytesOf(node, 'uniformResourceIdentifier').toString('latin1') };
    case 7:
      return { type: 'ip', bytes: bytesOf(node, 'iPAddress') };
    case 4: {
      const [name] = children(node, 'directoryName'); // [4] EXPLICIT Name
      if (!name || !isUniversal(name, TYPE.SEQUENCE)) throw new DerError('directoryName');
      return { type: 'directoryName', dn: readName(name, 'directoryName').dn };
    }
    default:
      return { type: 'other', tag: node.type };
  }
}

/** For audit and errors: a short printable form of a name. */
export function describeName(name: GeneralName): string {
  switch (name.type) {
    case 'ip':
      return `ip:${ipFromBytes(name.bytes) ?? name.bytes.toString('hex')}`;
    case 'directoryName':
      return `dirName:${name.dn.join(',')}`;
    case 'other':
      return `other:[${name.tag}]`;
    default:
      return `${name.type}:${name.value}`;
  }
}
