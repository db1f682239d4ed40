import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOciProfile } from './oci-config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-oci-'));
const file = join(dir, 'config');
writeFileSync(
  file,
  [
    '# comment',
    '[DEFAULT]',
    'user=ocid1.user.oc1..aaaa',
    'fingerprint=12:34',
    'tenancy=ocid1.tenancy.oc1..bbbb',
    'region=us-ashburn-1',
    'key_file=keys/api.pem',
    '',
    '[CI]',
    'user = ocid1.user.oc1..cccc',
    'key_file=~/.oci/ci.pem',
    'pass_phrase=p=q',
  ].join('\n'),
);

describe('OCI config file', () => {
  it('reads a profile, inheriting from DEFAULT; key_file relative to the file or under ~', () => {
    expect(readOciProfile(file, 'DEFAULT')).toEqual({ user: 'ocid1.user.oc1..aaaa', fingerprint: '12:34', tenancy: 'ocid1.tenancy.oc1..bbbb', region: 'us-ashburn-1', keyFile: join(dir, 'keys/api.pem') });
    expect(readOciProfile(file, 'CI')).toMatchObject({ user: 'ocid1.user.oc1..cccc', tenancy: 'ocid1.tenancy.oc1..bbbb', keyFile: join(homedir(), '.oci/ci.pem'), passPhrase: 'p=q' });
  });

  it('names a missing profile or missing keys', () => {
    expect(() => readOciProfile(file, 'PROD')).toThrow(/no profile \[PROD\]/);
    const partial = join(dir, 'partial');
    writeFileSync(partial, '[DEFAULT]\nuser=x\nregion=r\n');
    expect(() => readOciProfile(partial, 'DEFAULT')).toThrow(/missing fingerprint, tenancy, key_file/);
  });

  it('refuses a line without key=value, naming the file and never echoing the line', () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, '[DEFAULT]\nuser=x\nsecret-pass-phrase-line\n');
    const err = (() => {
      try {
        readOciProfile(bad, 'DEFAULT');
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(err.message).toBe(`--oci-config ${bad}: not an OCI config file (a line without key=value)`);
  });
});
