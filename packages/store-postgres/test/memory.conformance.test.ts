// The reference: the core's in-memory stores must pass the same suite as the SQL stores.
import { createMemoryStores } from '@gatehouse/core';
import { runStoreConformance } from '@gatehouse/testing/conformance';

runStoreConformance('memory', async () => ({ stores: createMemoryStores(), cleanup: async () => {} }));
