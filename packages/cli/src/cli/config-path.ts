/** Which config file a command uses: `--config`, else `GATEHOUSE_CONFIG`, else `gatehouse.config.{json,yaml,yml}` here. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { CliIo } from './io.js';

export const DEFAULT_CONFIG_NAMES = ['gatehouse.config.json', 'gatehouse.config.yaml', 'gatehouse.config.yml'];

export function findConfigPath(io: CliIo, explicit: string | undefined): string {
  if (explicit) return resolve(io.cwd, explicit);
  if (io.env.GATEHOUSE_CONFIG) return resolve(io.cwd, io.env.GATEHOUSE_CONFIG);
  for (const name of DEFAULT_CONFIG_NAMES) {
    const candidate = resolve(io.cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  throw usageError(`no config file: pass --config <file>, set GATEHOUSE_CONFIG, or create ${DEFAULT_CONFIG_NAMES[0]} here`);
}
