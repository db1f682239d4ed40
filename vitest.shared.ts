// Every package's vitest config extends this: tests import sibling packages from source
// (the `gatehouse-source` export condition) so a change in core is seen without a rebuild.
import { defineConfig } from 'vitest/config';

// Ours plus Vite's defaults, without `module`: that condition is a bundler convention, not Node's, and the
// worker processes pass these to Node (`--conditions`), where it picks builds Node cannot load (tsyringe's
// tslib, @opentelemetry/api's extensionless `build/esm`). Adding `import` here would make CJS `require`s of
// dual packages load ESM files.
const conditions = ['gatehouse-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['gatehouse-source'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
