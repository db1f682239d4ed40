/**
 * Reads a profile from an OCI config file (`~/.oci/config`, the format of Oracle's CLI and SDKs) with
 * Oracle's own parser (`oci-common`'s `ConfigAccumulator`, what `ConfigFileReader` uses); here
 * only what it leaves to callers: errors naming the file, the required keys, and `key_file` resolved
 * against `~` or the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
// Oracle's parser module alone (oci-common's index loads the whole SDK core; this file has no exports map to respect).
import { ConfigAccumulator, ConfigFileReader } from 'oci-common/lib/config-file-reader.js';
import { usageError } from '../../errors.js';

export interface OciProfile {
  user: string;
  fingerprint: string;
  tenancy: string;
  region: string;
  keyFile: string;
  passPhrase?: string;
}

const REQUIRED = ['user', 'fingerprint', 'tenancy', 'region', 'key_file'];

export function readOciProfile(file: string, profileName: string): OciProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`--oci-config ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Oracle's line parser (ConfigFileReader.parse is the same plus a console notice when DEFAULT is absent).
  const parsed = new ConfigAccumulator();
  try {
    for (const line of text.split('\n')) parsed.accept(line);
  } catch (err) {
    // Its messages quote the offending line, which may hold a pass phrase: name the file and the kind only.
    const why = /no key-value pair|no key:/.test((err as Error).message) ? 'a line without key=value' : /without specifying a profile/.test((err as Error).message) ? 'a key before any [PROFILE] line' : 'unreadable';
    throw usageError(`--oci-config ${file}: not an OCI config file (${why})`);
  }
  const own = parsed.configurationsByProfile.get(profileName);
  if (!own) throw usageError(`--oci-config ${file}: no profile [${profileName}]`);
  const defaults = parsed.configurationsByProfile.get(ConfigFileReader.DEFAULT_PROFILE_NAME);
  const get = (key: string) => own.get(key) ?? defaults?.get(key);
  const missing = REQUIRED.filter((k) => !get(k));
  if (missing.length) throw usageError(`--oci-config ${file} [${profileName}]: missing ${missing.join(', ')}`);
  let keyFile = get('key_file')!;
  if (keyFile.startsWith('~/')) keyFile = resolve(homedir(), keyFile.slice(2));
  else if (!isAbsolute(keyFile)) keyFile = resolve(dirname(file), keyFile);
  const passPhrase = get('pass_phrase');
  return { user: get('user')!, fingerprint: get('fingerprint')!, tenancy: get('tenancy')!, region: get('region')!, keyFile, ...(passPhrase ? { passPhrase } : {}) };
}
