// The store conformance suite on embedded PGlite (in memory), a fresh schema per fixture.
import { runStoreConformance } from '@gatehouse-auth/testing/conformance';
import { afterAll } from 'vitest';
import { closeSharedPglite, pgliteFixture } from './support/fixtures.js';

afterAll(closeSharedPglite);

runStoreConformance('PGlite (in memory)', pgliteFixture, { requirePeer: true });
