import { printJson, type CliIo } from '../../cli/io.js';

/** A login prints the token alone (for `$(...)`), or with `--json` the whole response body. */
export function printLogin(io: CliIo, json: boolean | undefined, token: string, body: unknown): void {
  if (json) printJson(io, body);
  else io.stdout.write(token + '\n');
}
