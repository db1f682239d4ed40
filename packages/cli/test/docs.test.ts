/** docs/cli.md (shipped in the package as dist/cli.md) has a section for every command. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { processIo } from '../src/cli/io.js';

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

function leafCommands(cmd: Command, prefix: string[] = []): string[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [prefix.join(' ')];
  return subs.flatMap((c) => leafCommands(c, [...prefix, c.name()]));
}

describe('docs', () => {
  it('docs/cli.md documents every command', () => {
    const cli = doc('cli.md');
    const commands = leafCommands(buildProgram(processIo()));
    expect(commands).toEqual(expect.arrayContaining(['serve', 'identity attach', 'user mfa enroll', 'login password', 'token verify']));
    const missing = commands.filter((c) => !cli.includes(`gatehouse ${c}`));
    expect(missing).toEqual([]);
  });
});
