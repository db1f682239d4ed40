/**
 * The docs cannot drift from the code: docs/configuration.md embeds exactly the reference generated from the
 * config schema, and every key has a description.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceRows, renderConfigReference } from '../src/config/reference.js';

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

describe('docs', () => {
  it('docs/configuration.md embeds the generated reference (run `gatehouse config reference` after a schema change)', () => {
    expect(doc('configuration.md')).toContain(renderConfigReference());
  });

  it('every config key has a description', () => {
    const rows = configReferenceRows();
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((r) => r.description.trim() === '').map((r) => r.key)).toEqual([]);
  });
});
