// The PGlite this package opens starts with a small shared_buffers (PGlite's 128MB default is cleared at every
// start, which made opening an existing data directory ~0.5 s slower), as a start parameter: the data
// directory's postgresql.conf is never rewritten.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPgliteStores, DEFAULT_PGLITE_SHARED_BUFFERS } from '../src/index.js';

const KEY = randomBytes(32).toString('base64');

describe('createPgliteStores: shared_buffers', () => {
  const opened: PGlite[] = [];
  afterEach(() => vi.restoreAllMocks());

  function watchCreate() {
    const create = PGlite.create.bind(PGlite);
    return vi.spyOn(PGlite, 'create').mockImplementation((async (...args: Parameters<typeof PGlite.create>) => {
      const db = await create(...args);
      opened.push(db);
      return db;
    }) as typeof PGlite.create);
  }

  it('starts with 16MB unless told otherwise, keeps PGlite’s other start parameters, and leaves postgresql.conf alone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-pglite-opts-'));
    try {
      const spy = watchCreate();
      const first = await createPgliteStores({ dataDir, encryptionKey: KEY });
      const conf = await readFile(join(dataDir, 'postgresql.conf'), 'utf8');
      expect((await opened.at(-1)!.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers).toBe(DEFAULT_PGLITE_SHARED_BUFFERS);
      expect(spy.mock.calls[0]![1]!.startParams).toEqual([...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']);
      await first.close();
      // Reopened on the existing directory with another size; the data is there, the conf file unchanged.
      const again = await createPgliteStores({ dataDir, encryptionKey: KEY, sharedBuffers: '8MB' });
      expect((await opened.at(-1)!.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers).toBe('8MB');
      expect(again.migration.applied).toEqual([]);
      await again.close();
      expect(await readFile(join(dataDir, 'postgresql.conf'), 'utf8')).toBe(conf);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a size that is not one, naming the option', async () => {
    await expect(createPgliteStores({ encryptionKey: KEY, sharedBuffers: '16MB; DROP' })).rejects.toThrow(/sharedBuffers/);
    await expect(createPgliteStores({ encryptionKey: KEY, sharedBuffers: '-c fsync=off' })).rejects.toThrow(/sharedBuffers/);
  });
});
