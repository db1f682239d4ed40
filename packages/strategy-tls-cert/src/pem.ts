// PEM text → DER blocks of one label. A plain indexOf scan: linear in the input, whatever an attacker sends
// (a backtracking regex over an unterminated block would not be).
export class PemError extends Error {
  override readonly name = 'PemError';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/**
 * Every block labelled `label` (e.g. `CERTIFICATE`, `X509 CRL`), in order. Text between blocks is ignored
 * (bundles carry comments); an unterminated block or one that is not clean base64 throws.
 */
export function pemBlocks(text: string, label: string): Buffer[] {
  const blocks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, position);
    if (begin === -1) return blocks;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd === -1 || labelEnd - labelStart > 64) throw new PemError('malformed PEM header');
    const blockLabel = text.slice(labelStart, labelEnd);
    const footer = `-----END ${blockLabel}-----`;
    const bodyStart = labelEnd + DASHES.length;
    const end = text.indexOf(footer, bodyStart);
    if (end === -1) throw new PemError(`unterminated ${blockLabel} block`);
    position = end + footer.length;
    if (blockLabel !== label) continue;
    const body = text.slice(bodyStart, end).replace(/[\r\n\t ]/g, '');
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) throw new PemError(`malformed ${label} block`);
    blocks.push(Buffer.from(body, 'base64'));
  }
}
