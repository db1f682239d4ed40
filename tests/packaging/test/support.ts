/** Child processes with a clean environment: npm must not see the workspace it was started from. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../../', import.meta.url).pathname;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** PATH and HOME only (plus what the caller adds): no npm_* variables of the workspace run, no NODE_OPTIONS. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, ...extra };
}

export function run(command: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  dependencies: Record<string, string>;
}

/** Every package under packages/ that is published (not private). */
export function publishedPackages(): WorkspacePackage[] {
  const dir = join(ROOT, 'packages');
  return readdirSync(dir)
    .map((d) => join(dir, d))
    .filter((d) => statSync(join(d, 'package.json'), { throwIfNoEntry: false }))
    .map((d) => ({ dir: d, manifest: JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name: string; private?: boolean; dependencies?: Record<string, string> } }))
    .filter((p) => !p.manifest.private)
    .map((p) => ({ name: p.manifest.name, dir: p.dir, dependencies: p.manifest.dependencies ?? {} }));
}

/** The workspace packages a package needs in production, itself included. */
export function productionClosure(name: string, all: WorkspacePackage[]): string[] {
  const byName = new Map(all.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n) || !byName.has(n)) return;
    seen.add(n);
    for (const dep of Object.keys(byName.get(n)!.dependencies)) visit(dep);
  };
  visit(name);
  return [...seen];
}

/** Bytes on disk and the number of installed packages under a node_modules folder. */
export function measureNodeModules(nodeModules: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.isFile()) {
        bytes += statSync(path).size;
        if (entry.name === 'package.json' && /node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(dir)) packages++;
      }
    }
  };
  walk(nodeModules);
  return { bytes, packages };
}
