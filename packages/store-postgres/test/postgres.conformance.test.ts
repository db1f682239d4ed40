// The store conformance suite on a real PostgreSQL server (DATABASE_URL), with the concurrency proofs split
// across two separate pg.Pools standing for two Gatehouse instances.
import { runStoreConformance } from '@gatehouse-auth/testing/conformance';
import { DATABASE_URL, NO_DATABASE_URL, postgresFixture } from './support/fixtures.js';

// Said out loud, not only in a skipped test's name: this is the run that proves multi-instance safety.
if (!DATABASE_URL) process.stderr.write(`store-postgres: real PostgreSQL suites skipped: ${NO_DATABASE_URL}\n`);

runStoreConformance('PostgreSQL (two pools)', () => postgresFixture(DATABASE_URL!), {
  skip: DATABASE_URL ? false : NO_DATABASE_URL,
  requirePeer: true,
});
