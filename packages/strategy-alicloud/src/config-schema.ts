/**
 * Per-identity configuration of the alicloud method, validated when written (`gatehouse.admin.attachMethod`),
 * so a malformed ARN is refused with its index (`config.allowedArns.2`) instead of failing logins later.
 */
import { z } from 'zod';
import { ARN_PATTERN_HELP, parseArnPattern } from './arn.js';

export function createAlicloudConfigSchema(stsRegions: readonly string[]) {
  return z.strictObject({
    /** Who may log in as this identity: exact ARNs, `...*` prefixes, `role/<r>` also admits its sessions. */
    allowedArns: z
      .array(z.string().max(512).refine((v) => parseArnPattern(v) !== null, ARN_PATTERN_HELP))
      .min(1, 'at least one ARN is required')
      .max(100),
    /** Key into the server's STS endpoint allow-list; the strategy's default region when omitted. */
    stsRegion: z.enum(stsRegions as [string, ...string[]]).optional(),
  });
}

export type AlicloudIdentityConfig = z.output<ReturnType<typeof createAlicloudConfigSchema>>;
