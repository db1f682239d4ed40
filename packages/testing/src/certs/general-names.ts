// DER for the name structures of RFC 5280 that forge cannot write (or writes only partly): Names with any
// attribute order and string type, GeneralNames of every form the tests need, name-constraint subtrees,
// authority information access and extended key usages by OID.
import { isIP } from 'node:net';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/** One attribute of a distinguished name, in the order given (most significant first, as CAs usually write). */
export interface NameAttribute {
  readonly type: 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'emailAddress' | 'DC' | 'serialNumber';
  readonly value: string;
  /** Default `utf8` (`ia5` for emailAddress and DC, `printable` for C and serialNumber, as RFC 5280 asks). */
  readonly stringType?: 'utf8' | 'printable' | 'ia5' | 'bmp';
}

const ATTRIBUTE_OID: Record<NameAttribute['type'], string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
  emailAddress: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
};

const STRING_TAG = { utf8: asn1.Type.UTF8, printable: asn1.Type.PRINTABLESTRING, ia5: asn1.Type.IA5STRING, bmp: asn1.Type.BMPSTRING } as const;

function defaultStringType(type: NameAttribute['type']): NonNullable<NameAttribute['stringType']> {
  if (type === 'emailAddress' || type === 'DC') return 'ia5';
  if (type === 'C' || type === 'serialNumber') return 'printable';
  return 'utf8';
}

function oid(value: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
}

function stringValue(attribute: NameAttribute): Asn1 {
  const stringType = attribute.stringType ?? defaultStringType(attribute.type);
  let bytes: string;
  if (stringType === 'bmp') {
    const utf16 = Buffer.from(attribute.value, 'utf16le').swap16(); // BMPString is big-endian UCS-2
    bytes = utf16.toString('binary');
  } else {
    bytes = Buffer.from(attribute.value, 'utf8').toString('binary');
  }
  return asn1.create(asn1.Class.UNIVERSAL, STRING_TAG[stringType], false, bytes);
}

/** `Name ::= SEQUENCE OF RelativeDistinguishedName`, one attribute per RDN. */
export function nameAsn1(attributes: readonly NameAttribute[]): Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    attributes.map((attribute) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid(ATTRIBUTE_OID[attribute.type]), stringValue(attribute)]),
      ]),
    ),
  );
}

/**
 * A GeneralName. As a subject alternative name `ip` is one address; as a name-constraint base it is a CIDR
 * range (`10.0.0.0/8`, `2001:db8::/32`), written as address and mask.
 */
export type GeneralName =
  | { readonly type: 'dns' | 'uri' | 'email'; readonly value: string }
  | { readonly type: 'ip'; readonly value: string }
  | { readonly type: 'directoryName'; readonly value: readonly NameAttribute[] }
  | { readonly type: 'registeredId'; readonly value: string };

const TAG = { email: 1, dns: 2, directoryName: 4, uri: 6, ip: 7, registeredId: 8 } as const;

function context(tag: number, bytes: string): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, bytes);
}

function ipBytes(text: string): Buffer {
  const version = isIP(text);
  if (version === 4) return Buffer.from(text.split('.').map(Number));
  if (version === 6) {
    if (text.includes('.')) throw new Error(`IPv4-in-IPv6 notation is not supported here: ${text}`);
    const [head = '', tail = ''] = text.includes('::') ? text.split('::') : [text, ''];
    const groups = (part: string) => (part === '' ? [] : part.split(':'));
    const h = groups(head);
    const t = groups(tail);
    const all = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  throw new Error(`not an IP address: ${text}`);
}

function cidrBytes(text: string): Buffer {
  const [address, bits] = text.split('/');
  const addr = ipBytes(address ?? '');
  const prefix = bits === undefined ? addr.length * 8 : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > addr.length * 8) throw new Error(`bad prefix length: ${text}`);
  const mask = Buffer.alloc(addr.length);
  for (let i = 0; i < prefix; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  return Buffer.concat([addr, mask]);
}

export function generalNameAsn1(name: GeneralName, as: 'name' | 'constraint' = 'name'): Asn1 {
  switch (name.type) {
    case 'dns':
    case 'uri':
    case 'email':
      return context(TAG[name.type], Buffer.from(name.value, 'utf8').toString('binary'));
    case 'ip':
      return context(TAG.ip, (as === 'constraint' ? cidrBytes(name.value) : ipBytes(name.value)).toString('binary'));
    case 'directoryName':
      return asn1.create(asn1.Class.CONTEXT_SPECIFIC, TAG.directoryName, true, [nameAsn1(name.value)]);
    case 'registeredId':
      return context(TAG.registeredId, asn1.oidToDer(name.value).getBytes());
  }
}

export function generalNamesAsn1(names: readonly GeneralName[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names.map((n) => generalNameAsn1(n)));
}

export interface NameConstraintsSpec {
  readonly permitted?: readonly GeneralName[];
  readonly excluded?: readonly GeneralName[];
  /** RFC 5280 says CAs MUST mark it critical; default true. `false` makes the (common) non-critical variant. */
  readonly critical?: boolean;
}

/** `NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] … }`. */
export function nameConstraintsAsn1(spec: NameConstraintsSpec): Asn1 {
  const subtrees = (tag: number, names: readonly GeneralName[]) =>
    asn1.create(
      asn1.Class.CONTEXT_SPECIFIC,
      tag,
      true,
      names.map((n) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [generalNameAsn1(n, 'constraint')])),
    );
  const parts: Asn1[] = [];
  if (spec.permitted && spec.permitted.length > 0) parts.push(subtrees(0, spec.permitted));
  if (spec.excluded && spec.excluded.length > 0) parts.push(subtrees(1, spec.excluded));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

/** `AuthorityInfoAccessSyntax` with one id-ad-ocsp access description per URL. */
export function ocspAccessAsn1(urls: readonly string[]): Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    urls.map((url) =>
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [oid('1.3.6.1.5.5.7.48.1'), generalNameAsn1({ type: 'uri', value: url })]),
    ),
  );
}

export const EKU_OID = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
} as const;

export function extKeyUsageAsn1(oids: readonly string[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, oids.map(oid));
}

export function nullAsn1(): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
}
