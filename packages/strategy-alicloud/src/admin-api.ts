/**
 * The alicloud method in the admin API, as Infisical's Alibaba Cloud Auth: `allowedArns` is a comma-separated
 * string there (a JSON list is accepted too), answered as `"arn1, arn2"` under `identityAliCloudAuth`.
 * `stsRegion` is Gatehouse's own (which configured STS endpoint the identity's logins are checked against).
 */
import type { StrategyAdminApi } from '@gatehouse-auth/core';
import { z } from 'zod';
import type { AlicloudIdentityConfig } from './config-schema.js';

/** A comma-separated list (Infisical) or a JSON list of strings: the items, trimmed, empty ones dropped. */
export const commaList = (maxItems: number, maxItemChars: number) =>
  z.union([
    z.string().max(maxItems * (maxItemChars + 2)).transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean)),
    z.array(z.string().max(maxItemChars)).max(maxItems),
  ]);

export const alicloudAdminApi: StrategyAdminApi = {
  segment: 'alicloud-auth',
  envelope: 'identityAliCloudAuth',
  title: 'Alibaba Cloud Auth',
  fields: {
    allowedArns: commaList(100, 512).describe('Comma-separated ARNs allowed to log in: exact, trailing `*`, or `role/<r>` (admits its assumed-role sessions).'),
    stsRegion: z.string().max(64).nullable().describe('Gatehouse: which configured STS endpoint checks this identity\'s logins; null: the server\'s default.'),
  },
  required: ['allowedArns'],
  toConfig(fields, current) {
    const prev = current as AlicloudIdentityConfig | undefined;
    const allowedArns = fields.allowedArns ?? prev?.allowedArns;
    const stsRegion = fields.stsRegion === undefined ? prev?.stsRegion : fields.stsRegion;
    return { allowedArns, ...(stsRegion != null ? { stsRegion } : {}) };
  },
  toFields(config) {
    const c = config as AlicloudIdentityConfig;
    return { type: 'iam', allowedArns: c.allowedArns.join(', '), stsRegion: c.stsRegion ?? null };
  },
  fieldOf: (path) => (path[0] === 'stsRegion' ? 'stsRegion' : 'allowedArns'),
};
