import ipaddr from 'ipaddr.js';

/** iPAddress SAN bytes (4 or 16) → canonical text; anything else (e.g. a name-constraint mask) → undefined. */
export function ipFromBytes(bytes: Buffer): string | undefined {
  if (bytes.length !== 4 && bytes.length !== 16) return undefined;
  return ipaddr.fromByteArray([...bytes]).toString();
}
