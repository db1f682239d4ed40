import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('no file in packages/core imports a web framework', () => {
  const offenders = files(import.meta.dirname).filter((f) =>
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:express|fastify|koa|@koa\/[^'"]+|fastify-[^'"]+)['"]/.test(readFileSync(f, 'utf8')),
  );
  expect(offenders).toEqual([]);
  expect(files(import.meta.dirname).length).toBeGreaterThan(20);
});
