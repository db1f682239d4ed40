import { describe, expect, it } from 'vitest';
import { identifierVariants } from './identifier-variants.js';

/** How a careful server folds an identifier (the core's normaliseUsername). */
const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase();

describe('identifierVariants', () => {
  it.each(['Alice', 'ops@example.com', '3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f', 'ci-bot_01'])('%s: distinct spellings that all fold back to it', (id) => {
    const variants = identifierVariants(id);
    expect(variants.length).toBeGreaterThanOrEqual(6);
    expect(new Set(variants.map((v) => v.value)).size).toBe(variants.length);
    for (const v of variants) {
      expect(v.value).not.toBe(id);
      expect(fold(v.value), v.kind).toBe(fold(id));
    }
  });

  it('covers case, whitespace and NFKC compatibility forms', () => {
    const kinds = identifierVariants('Alice').map((v) => v.kind).join(' | ');
    expect(kinds).toMatch(/upper case/);
    expect(kinds).toMatch(/space/);
    expect(kinds).toMatch(/fullwidth/);
    expect(identifierVariants('Alice').find((v) => v.kind.startsWith('fullwidth'))!.value).toBe('Ａｌｉｃｅ');
  });
});
