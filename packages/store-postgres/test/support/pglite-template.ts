// vitest globalSetup: initdb for PGlite costs seconds per instance, so it runs once per test run; each test
// file then starts its PGlite from this template data directory (a tarball), which takes a fraction of that.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await PGlite.create();
  const blob = await db.dumpDataDir('none');
  await db.close();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pglite-template-'));
  const file = join(dir, 'template.tar');
  await writeFile(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rm(dir, { recursive: true, force: true });
}
