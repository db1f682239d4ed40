// Every package's vitest config extends this: tests import sibling packages from source
// (the `gatehouse-source` export condition) so a change in core is seen without a rebuild.
import { defineConfig } from 'vitest/config';

const conditions = ['gatehouse-source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['gatehouse-source', 'node'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
