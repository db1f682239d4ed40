#!/usr/bin/env node
// The `gatehouse` command. Committed as plain JavaScript so npm links it on install, before any build;
// the implementation is the compiled TypeScript in dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: the gatehouse CLI is not built yet: run `npm run build` (or `npx turbo run build --filter=@gatehouse-auth/cli...`) first\n');
  process.exit(1);
}
await import(entry.href);
