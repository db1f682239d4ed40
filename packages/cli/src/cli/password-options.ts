import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { readSecret } from './secrets.js';

export const PASSWORD_ENV = 'GATEHOUSE_PASSWORD';

export interface PasswordOptions {
  password?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
}

/** The four ways to give a password; see docs/cli.md#secrets. */
export function addPasswordOptions(cmd: Command): Command {
  return cmd
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--password-file <file>', 'read the password from the first line of a file')
    .option('--password <password>', `the password itself (visible in the process list: prefer the above or ${PASSWORD_ENV})`);
}

export function readPassword(io: CliIo, opts: PasswordOptions, prompt = 'Password: '): Promise<string> {
  return readSecret(io, { value: opts.password, file: opts.passwordFile, stdin: opts.passwordStdin }, { what: 'password', flag: '--password', envVar: PASSWORD_ENV, prompt });
}
