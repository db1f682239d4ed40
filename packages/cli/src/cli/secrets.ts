/**
 * Reading a secret (a password, a secret key): from exactly one of a flag, a file, standard input or an
 * environment variable, or, on a terminal, from a prompt that does not echo. Never printed, never logged.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { usageError } from '../errors.js';
import type { CliIo } from './io.js';

const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretSources {
  /** The value given on the command line (visible to other local users in the process list: discouraged). */
  value?: string;
  file?: string;
  stdin?: boolean;
}

export interface SecretSpec {
  /** What it is, for messages: `password`. */
  what: string;
  /** Flag names for messages, e.g. `--password`. */
  flag: string;
  envVar: string;
  /** Prompt on a terminal when nothing else was given. */
  prompt?: string;
}

function firstLine(text: string): string {
  const nl = text.search(/\r?\n/);
  return nl === -1 ? text : text.slice(0, nl);
}

export async function readStdin(io: CliIo, max = MAX_SECRET_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) throw usageError(`standard input is larger than ${max} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
  io.stderr.write(prompt);
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function readSecret(io: CliIo, sources: SecretSources, spec: SecretSpec): Promise<string> {
  const given = [sources.value !== undefined, sources.file !== undefined, sources.stdin === true].filter(Boolean).length;
  if (given > 1) throw usageError(`give the ${spec.what} one way only: ${spec.flag}, ${spec.flag}-file or ${spec.flag}-stdin`);
  let secret: string | undefined;
  if (sources.value !== undefined) secret = sources.value;
  else if (sources.file !== undefined) {
    try {
      const buf = readFileSync(sources.file);
      if (buf.length > MAX_SECRET_BYTES) throw usageError(`${spec.flag}-file ${sources.file} is larger than ${MAX_SECRET_BYTES} bytes`);
      secret = firstLine(buf.toString('utf8'));
    } catch (err) {
      if ((err as { exitCode?: number }).exitCode) throw err;
      throw usageError(`cannot read ${spec.flag}-file ${sources.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (sources.stdin) secret = firstLine(await readStdin(io));
  else if (io.env[spec.envVar] !== undefined && io.env[spec.envVar] !== '') secret = io.env[spec.envVar];
  else if (spec.prompt && io.stdin.isTTY) secret = await promptHidden(io, spec.prompt);
  else throw usageError(`no ${spec.what} given: use ${spec.flag}-stdin, ${spec.flag}-file <file>, ${spec.flag} <value> or the ${spec.envVar} environment variable`);
  if (!secret) throw usageError(`the ${spec.what} is empty`);
  return secret;
}
