// Opens the PGlite stores on a data directory (creating and migrating it on first use), answers one query, and
// reports the time since this process started (performance.timeOrigin): what a `gatehouse` server start on an
// existing PGlite directory waits for before it can serve. Then exits.
import { randomBytes } from 'node:crypto';
import { createPgliteStores } from '@gatehouse-auth/store-postgres';

const stores = await createPgliteStores({ dataDir: process.argv[2], encryptionKey: randomBytes(32) });
await stores.identities.get('00000000-0000-4000-8000-000000000000');
const readyMs = performance.now();
await stores.close();
process.send({ readyMs });
process.disconnect();
