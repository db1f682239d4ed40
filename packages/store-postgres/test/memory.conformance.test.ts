// The reference: the core's in-memory stores must pass the same suite as the SQL stores.
import { createMemoryStores } from '@gatehouse-auth/core';
import { runStoreConformance } from '@gatehouse-auth/testing/conformance';

runStoreConformance('memory', async () => ({ stores: createMemoryStores(), cleanup: async () => {} }));
