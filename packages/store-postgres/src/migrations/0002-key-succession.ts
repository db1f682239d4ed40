import type { Migration } from './migration.js';

/**
 * Signing keys become a cluster decision (DESIGN §4): `not_before` (from when a key may sign; a rotated-in key
 * is published a propagation window earlier) and at most one key without a successor, enforced by a unique
 * index so that instances creating the first key or rotating together cannot both win.
 *
 * Databases written by earlier versions may hold several keys without a successor (instances that started
 * together each made one). All but the newest are given a successor here: they stop signing now and keep
 * verifying for 30 days (the default `tokens.overlapSeconds`), so no token they signed is refused early.
 */
export const keySuccession: Migration = {
  version: 2,
  name: 'key-succession',
  sql: `
ALTER TABLE gatehouse_signing_keys ADD COLUMN not_before timestamptz;
UPDATE gatehouse_signing_keys SET not_before = created_at;
ALTER TABLE gatehouse_signing_keys ALTER COLUMN not_before SET NOT NULL;

UPDATE gatehouse_signing_keys AS k
   SET retired_at = now(), not_after = now() + interval '30 days'
 WHERE k.retired_at IS NULL
   AND k.kid <> (SELECT n.kid FROM gatehouse_signing_keys AS n WHERE n.retired_at IS NULL ORDER BY n.created_at DESC, n.kid DESC LIMIT 1);

CREATE UNIQUE INDEX gatehouse_signing_keys_one_open ON gatehouse_signing_keys ((true)) WHERE retired_at IS NULL;
`,
};
