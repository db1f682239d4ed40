import { describe, expect, it } from 'vitest';
import { findAllowedArn, parseArnPattern, parseCallerArn } from './arn.js';

const A = '1234567890123456';
const B = '6543210987654321';

describe('ARN matching', () => {
  // [caller ARN from STS, allowed pattern, expected]
  const table: [string, string, boolean, string][] = [
    [`acs:ram::${A}:user/alice`, `acs:ram::${A}:user/alice`, true, 'exact user'],
    [`acs:ram::${A}:user/alice`, `acs:ram::${A}:user/Alice`, false, 'user names are case-sensitive'],
    [`acs:ram::${A}:user/alice`, `acs:ram::${A}:user/ali`, false, 'user prefix without * is not a match'],
    [`acs:ram::${A}:user/alice2`, `acs:ram::${A}:user/alice`, false, 'lookalike user'],
    [`acs:ram::${A}:user/alice`, `acs:ram::${A}:role/alice`, false, 'a user is not a role of the same name'],
    [`acs:ram::${A}:role/deployer`, `acs:ram::${A}:role/deployer`, true, 'exact role'],
    [`acs:ram::${A}:user/ci-bot-7`, `acs:ram::${A}:user/ci-bot-*`, true, '* suffix on users'],
    [`acs:ram::${A}:user/ci-bo`, `acs:ram::${A}:user/ci-bot-*`, false, '* needs the whole prefix'],
    [`acs:ram::${A}:user/anyone`, `acs:ram::${A}:user/*`, true, 'every user of the account'],
    [`acs:ram::${A}:assumed-role/deployer/i-abc`, `acs:ram::${A}:user/*`, false, 'user/* does not admit roles'],
    [`acs:ram::${A}:assumed-role/deployer/i-abc`, `acs:ram::${A}:*`, true, 'the whole account'],
    [`acs:ram::${A}:root`, `acs:ram::${A}:*`, true, 'the whole account includes the root account'],
    [`acs:ram::${A}:root`, `acs:ram::${A}:user/*`, false, 'root is not a user'],
    [`acs:ram::${A}:assumed-role/deployer/build-42`, `acs:ram::${A}:role/deployer`, true, 'assumed-role session of an allowed role'],
    [`acs:ram::${A}:assumed-role/Deployer/build-42`, `acs:ram::${A}:role/deployer`, true, 'role names compared case-insensitively'],
    [`acs:ram::${A}:assumed-role/deployer/build-42`, `acs:ram::${A}:role/DEPLOYER`, true, 'role names compared case-insensitively (pattern side)'],
    [`acs:ram::${A}:assumed-role/deployer/build-42`, `acs:ram::${A}:assumed-role/deployer/build-42`, true, 'exact assumed-role session'],
    [`acs:ram::${A}:assumed-role/deployer/build-43`, `acs:ram::${A}:assumed-role/deployer/build-42`, false, 'other session of the role'],
    [`acs:ram::${A}:assumed-role/deployer/Build-42`, `acs:ram::${A}:assumed-role/deployer/build-42`, false, 'session names are case-sensitive'],
    [`acs:ram::${A}:assumed-role/deployer/build-43`, `acs:ram::${A}:assumed-role/deployer/*`, true, '* over sessions of one role'],
    [`acs:ram::${A}:assumed-role/deployer2/x`, `acs:ram::${A}:assumed-role/deployer/*`, false, '* over sessions does not leak to lookalike roles'],
    [`acs:ram::${A}:assumed-role/app-web/s`, `acs:ram::${A}:role/app-*`, true, '* over role names covers their sessions'],
    [`acs:ram::${B}:assumed-role/deployer/build-42`, `acs:ram::${A}:role/deployer`, false, 'assumed role of another account'],
    [`acs:ram::${B}:user/alice`, `acs:ram::${A}:user/alice`, false, 'same user name, other account'],
    [`acs:ram::${A}1:user/alice`, `acs:ram::${A}:*`, false, 'lookalike account id (longer) against an account wildcard'],
    [`acs:ram::${A.slice(0, -1)}:user/alice`, `acs:ram::${A}:*`, false, 'lookalike account id (shorter)'],
    [`acs:ram::${A}:role/administrator`, `acs:ram::${A}:role/admin`, false, 'lookalike role prefix'],
    [`acs:ram::${A}:assumed-role/administrator/s`, `acs:ram::${A}:role/admin`, false, 'lookalike role prefix, assumed'],
    [`acs:ram::${A}:role/administrator`, `acs:ram::${A}:role/admin*`, true, 'explicit * does cover the longer name'],
    [`acs:ram::${A}:assumed-role/admin/administrator`, `acs:ram::${A}:role/admin`, true, 'session name is not part of the role'],
  ];

  it.each(table)('%s vs %s → %s (%s)', (callerArn, pattern, expected) => {
    const caller = parseCallerArn(callerArn);
    expect(caller, 'caller ARN parses').not.toBeNull();
    expect(parseArnPattern(pattern), 'pattern parses').not.toBeNull();
    expect(findAllowedArn(caller!, [pattern])).toBe(expected ? pattern : null);
  });

  it('returns the first pattern that matches', () => {
    const caller = parseCallerArn(`acs:ram::${A}:assumed-role/deployer/s`)!;
    const allowed = [`acs:ram::${A}:user/alice`, `acs:ram::${A}:role/deployer`, `acs:ram::${A}:*`];
    expect(findAllowedArn(caller, allowed)).toBe(allowed[1]);
    expect(findAllowedArn(caller, [])).toBeNull();
  });
});

describe('ARN patterns', () => {
  it.each([
    `acs:ram::${A}:user/alice`,
    `acs:ram::${A}:role/deployer`,
    `acs:ram::${A}:assumed-role/deployer/build-42`,
    `acs:ram::${A}:user/*`,
    `acs:ram::${A}:role/app-*`,
    `acs:ram::${A}:assumed-role/deployer/*`,
    `acs:ram::${A}:assumed-role/dep*`,
    `acs:ram::${A}:*`,
  ])('accepts %s', (p) => expect(parseArnPattern(p)).not.toBeNull());

  it.each([
    ['', 'empty'],
    ['*', 'everything'],
    ['acs:ram::*', 'every account'],
    [`acs:ram::12*`, 'account prefix'],
    [`acs:ram::${A}*`, 'no colon after the account'],
    [`acs:ram::${A}:user/*/x`, '* in the middle'],
    [`acs:ram::${A}:user/**`, 'two stars'],
    [`acs:ram::${A}:user/al*ce`, 'inner star'],
    [`acs:ram:cn-hangzhou:${A}:user/alice`, 'region set'],
    [`acs:oss::${A}:user/alice`, 'other service'],
    [`arn:aws:iam::${A}:user/alice`, 'AWS ARN'],
    [`acs:ram::${A}:group/devs`, 'groups are not principals'],
    [`acs:ram::${A}:user/alice/x`, 'path after a user'],
    [`acs:ram::${A}:assumed-role/deployer`, 'assumed role without session'],
    [`acs:ram::${A}:role/`, 'empty role name'],
    [`acs:ram::${A}:role/a b`, 'space'],
    [`acs:ram::${A}:user/${'a'.repeat(65)}`, 'name too long'],
    [`acs:ram::abc:user/alice`, 'non-numeric account'],
    [` acs:ram::${A}:user/alice`, 'leading space'],
    [`acs:ram::${A}:root`, 'root is not allowed by name'],
    [`acs:ram::${A}:usr*`, 'not a prefix of a type'],
  ])('refuses %j (%s)', (p) => expect(parseArnPattern(p)).toBeNull());

  it('refuses caller ARNs that are not RAM principals', () => {
    for (const bad of ['', `acs:ram::${A}:user/`, `acs:ram::${A}:assumed-role/x`, `acs:ram::${A}:user/a/b`, `acs:ecs::${A}:instance/i-1`, `acs:ram::${A}:user/a\n`]) {
      expect(parseCallerArn(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
