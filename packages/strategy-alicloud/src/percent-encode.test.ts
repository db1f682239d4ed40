import { describe, expect, it } from 'vitest';
import { percentEncode as emulatorEncode } from '@gatehouse-auth/testing/sts';
import { encodeQuery, percentEncode } from './percent-encode.js';

/** The definition: encodeURIComponent, then the sub-delimiters it leaves alone as upper-case %XX. */
const reference = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('percentEncode', () => {
  it('matches the definition and the STS emulator for every ASCII character, alone and in strings, and for non-ASCII text', () => {
    const samples: string[] = [''];
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      samples.push(ch, `a${ch}b`, `${ch}${ch}`);
    }
    samples.push('2026-11-29T23:59:59Z', 'abc+/=', 'STS.NUx7', 'héllo wörld', '漢字', '🔑', "it's (a) *test*!", 'a~b_c.d-e');
    for (const s of samples) {
      expect(percentEncode(s)).toBe(reference(s));
      expect(percentEncode(s)).toBe(emulatorEncode(s));
    }
  });

  it('encodeQuery sorts names and encodes both sides', () => {
    expect(encodeQuery({ b: 'x y', a: "1'", Timestamp: '2026-01-01T00:00:00Z' })).toBe("Timestamp=2026-01-01T00%3A00%3A00Z&a=1%27&b=x%20y");
  });
});
