import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { readSecret } from './secrets.js';

const spec = { what: 'password', flag: '--password', envVar: 'GATEHOUSE_PASSWORD' };
function io(input = '', env: Record<string, string> = {}): CliIo {
  const stdin = new PassThrough();
  stdin.end(input);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdin, stdout: sink, stderr: sink, env, cwd: '/' };
}

describe('readSecret', () => {
  it('reads the first line of a file or of stdin, the value, or the environment', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-secret-')), 'pw');
    writeFileSync(file, 'from-file\r\nsecond line\n');
    expect(await readSecret(io(), { file }, spec)).toBe('from-file');
    expect(await readSecret(io('from-stdin\nrest'), { stdin: true }, spec)).toBe('from-stdin');
    expect(await readSecret(io(), { value: 'from-flag' }, spec)).toBe('from-flag');
    expect(await readSecret(io('', { GATEHOUSE_PASSWORD: 'from-env' }), {}, spec)).toBe('from-env');
  });

  it('exactly one source; an explicit source wins over the environment', async () => {
    await expect(readSecret(io('x'), { value: 'a', stdin: true }, spec)).rejects.toThrow(/one way only/);
    expect(await readSecret(io('', { GATEHOUSE_PASSWORD: 'env' }), { value: 'flag' }, spec)).toBe('flag');
  });

  it('nothing given and no terminal: a usage error naming every way; empty secrets are refused', async () => {
    await expect(readSecret(io(), {}, { ...spec, prompt: 'Password: ' })).rejects.toThrow(/no password given: use --password-stdin, --password-file <file>, --password <value> or the GATEHOUSE_PASSWORD/);
    await expect(readSecret(io('\n'), { stdin: true }, spec)).rejects.toThrow(/is empty/);
    await expect(readSecret(io(), { file: '/nonexistent/pw' }, spec)).rejects.toThrow(/cannot read --password-file \/nonexistent\/pw \(ENOENT\)/);
  });

  it('oversized input is refused', async () => {
    await expect(readSecret(io('x'.repeat(70 * 1024)), { stdin: true }, spec)).rejects.toThrow(/larger than/);
  });
});
