/**
 * Reads a profile from an OCI config file (`~/.oci/config`, the format of Oracle's CLI and SDKs):
 * `[PROFILE]` sections of `key=value` lines; `key_file` may start with `~` or be relative to the file.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { usageError } from '../../errors.js';

export interface OciProfile {
  user: string;
  fingerprint: string;
  tenancy: string;
  region: string;
  keyFile: string;
  passPhrase?: string;
}

export function parseOciConfig(text: string): Map<string, Map<string, string>> {
  const profiles = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      profiles.set(section[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || !current) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return profiles;
}

export function readOciProfile(file: string, profileName: string): OciProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`--oci-config ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const profiles = parseOciConfig(text);
  const defaults = profiles.get('DEFAULT') ?? new Map<string, string>();
  const own = profiles.get(profileName);
  if (!own) throw usageError(`--oci-config ${file}: no profile [${profileName}]`);
  const get = (key: string) => own.get(key) ?? defaults.get(key);
  const missing = ['user', 'fingerprint', 'tenancy', 'region', 'key_file'].filter((k) => !get(k));
  if (missing.length) throw usageError(`--oci-config ${file} [${profileName}]: missing ${missing.join(', ')}`);
  let keyFile = get('key_file')!;
  if (keyFile.startsWith('~/')) keyFile = resolve(homedir(), keyFile.slice(2));
  else if (!isAbsolute(keyFile)) keyFile = resolve(dirname(file), keyFile);
  const passPhrase = get('pass_phrase');
  return { user: get('user')!, fingerprint: get('fingerprint')!, tenancy: get('tenancy')!, region: get('region')!, keyFile, ...(passPhrase ? { passPhrase } : {}) };
}
