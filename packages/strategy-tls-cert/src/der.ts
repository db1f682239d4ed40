// Minimal DER reading on top of node-forge's ASN.1 parser: exact byte slices (what was signed must be
// verified byte for byte, never a re-encoding) and typed accessors that throw on anything unexpected.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** Parses one complete DER value (no trailing bytes); BIT STRINGs stay opaque. */
export function parseDer(bytes: Uint8Array): Asn1 {
  const fromDer = asn1.fromDer as unknown as (input: forge.util.ByteBuffer, options: object) => Asn1;
  try {
    return fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
  } catch (cause) {
    throw new DerError('not valid DER', { cause });
  }
}

/** Byte range of the value at `offset` (tag + length + contents). */
export function tlvRange(bytes: Uint8Array, offset: number): { start: number; contentStart: number; end: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated');
  const lengthByte = bytes[offset + 1]!;
  let length: number;
  let contentStart: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
    contentStart = offset + 2;
  } else {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
    contentStart = offset + 2 + count;
  }
  const end = contentStart + length;
  if (end > bytes.length) throw new DerError('truncated');
  return { start: offset, contentStart, end };
}

/** The first element inside the outer SEQUENCE: the TBSCertificate / TBSCertList bytes exactly as signed. */
export function signedPortion(bytes: Uint8Array): Buffer {
  const outer = tlvRange(bytes, 0);
  const inner = tlvRange(bytes, outer.contentStart);
  return Buffer.from(bytes.subarray(inner.start, inner.end));
}

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new DerError(`${what}: expected a constructed value`);
  return node.value as Asn1[];
}

export function bytesOf(node: Asn1 | undefined, what: string): Buffer {
  if (!node || typeof node.value !== 'string') throw new DerError(`${what}: expected a primitive value`);
  return Buffer.from(node.value, 'binary');
}

export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === asn1.Class.UNIVERSAL && node.type === type;
}

export function isContext(node: Asn1 | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

export function oidOf(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, asn1.Type.OID)) throw new DerError(`${what}: expected an OID`);
  return asn1.derToOid(forge.util.createBuffer(node!.value as string));
}

export function encode(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** UTCTime or GeneralizedTime → Date. */
export function timeOf(node: Asn1 | undefined, what: string): Date {
  let date: Date;
  if (isUniversal(node, asn1.Type.UTCTIME)) date = asn1.utcTimeToDate(node!.value as string);
  else if (isUniversal(node, asn1.Type.GENERALIZEDTIME)) date = asn1.generalizedTimeToDate(node!.value as string);
  else throw new DerError(`${what}: expected a time`);
  if (Number.isNaN(date.getTime())) throw new DerError(`${what}: invalid time`);
  return date;
}

/** INTEGER contents → upper-case hex without leading zero bytes (how serials are compared). */
export function serialHex(bytes: Buffer): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i).toString('hex').toUpperCase();
}

export const TYPE = asn1.Type;
