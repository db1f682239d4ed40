import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, {
  test: {
    // One PGlite initdb per run; test files start theirs from the template (see test/support/pglite-template.ts).
    globalSetup: ['test/support/pglite-template.ts'],
  },
});
