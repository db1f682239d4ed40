/**
 * The conformance kit proves itself: each bug class plugin authors are known to ship (and the 2025 auth CVEs
 * were about) is planted, one per copy, in the signed-request strategy's source; every copy runs the kit
 * with the strategy's own declarations in a child vitest process; the kit must fail every planted copy — in
 * the check meant to catch it — and pass the unmodified copy. Mutants are made from the real source by exact
 * edits, so a change to the strategy that makes an edit miss fails here instead of silently testing nothing.
 * One control that is not a copy (test/controls/) proves the timing statistics on a leak the example cannot
 * have. A summary (which checks failed for which mutant, and the run time) goes to
 * test-artifacts/kit-mutation.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS, DECLARATION_CHECKS, MUTANTS, type Mutant } from './mutants.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(PACKAGE, '..', '..');
const SOURCE = readFileSync(join(PACKAGE, 'src/signed-request-strategy.ts'), 'utf8');
const ARTIFACTS = join(PACKAGE, 'test-artifacts');
const WORK = join(ARTIFACTS, 'kit-mutants');
const KIT_OPTIONS = join(PACKAGE, 'src/test-support/signed-request-kit.ts');

interface AssertionResult {
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  failureMessages: string[];
}
interface JsonReport {
  testResults: { name: string; status: string; message?: string; assertionResults: AssertionResult[] }[];
}

/** Applies each edit exactly once; an edit that does not match exactly once is an error in the mutant. */
function plant(source: string, mutant: Mutant): string {
  let out = source;
  for (const [find, replace] of mutant.edits) {
    const count = out.split(find).length - 1;
    if (count !== 1) throw new Error(`mutant "${mutant.name}": ${JSON.stringify(find)} occurs ${count} times in src/signed-request-strategy.ts, not once`);
    out = out.replace(find, () => replace);
  }
  return out;
}

const CLEAN: Mutant = { name: 'clean', bugClass: 'none: the unmodified strategy', edits: [], caughtBy: [] };
const ALL = [CLEAN, ...MUTANTS, ...CONTROLS];
const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

function writeCopy(mutant: Mutant): void {
  const dir = join(WORK, slug(mutant.name));
  mkdirSync(dir, { recursive: true });
  if (mutant.control) {
    // Controls import the example relative to test/controls/; from the copy, that is an absolute path.
    const source = readFileSync(join(PACKAGE, 'test/controls', mutant.control), 'utf8');
    writeFileSync(join(dir, 'kit.test.ts'), source.replaceAll("'../../src/", `'${join(PACKAGE, 'src')}/`));
    return;
  }
  writeFileSync(join(dir, 'strategy.ts'), plant(SOURCE, mutant));
  writeFileSync(
    join(dir, 'kit.test.ts'),
    [
      "import { runStrategyConformance } from '@gatehouse-auth/testing/conformance';",
      `import { signedRequestKit } from ${JSON.stringify(KIT_OPTIONS)};`,
      "import { signedRequestStrategy } from './strategy.js';",
      '',
      `runStrategyConformance(${JSON.stringify(mutant.name)}, signedRequestKit(signedRequestStrategy));`,
      '',
    ].join('\n'),
  );
}

/** Runs vitest over every copy in a child process; resolves with its JSON report. */
function runKit(): Promise<{ report: JsonReport; code: number | null; stderr: string }> {
  writeFileSync(
    join(WORK, 'vitest.config.ts'),
    [
      "import { defineConfig, mergeConfig } from 'vitest/config';",
      `import shared from ${JSON.stringify(join(REPO, 'vitest.shared.ts'))};`,
      // One worker, modules shared between files: each copy costs its checks, not another import of the kit.
      `export default mergeConfig(shared, defineConfig({ root: ${JSON.stringify(WORK)}, test: { include: ['*/kit.test.ts'], isolate: false, maxWorkers: 1 } }));`,
      '',
    ].join('\n'),
  );
  const out = join(WORK, 'report.json');
  // The child is a fresh vitest, not a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TINYPOOL_WORKER_ID'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(WORK, 'vitest.config.ts'), '--reporter=json', '--outputFile', out], {
      cwd: WORK,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ report: JSON.parse(readFileSync(out, 'utf8')) as JsonReport, code, stderr });
      } catch (err) {
        reject(new Error(`vitest wrote no report (exit ${code}): ${stderr.slice(-2000)}`, { cause: err }));
      }
    });
  });
}

describe('the strategy conformance kit against planted bugs', () => {
  let results: Map<string, AssertionResult[]>;
  const started = Date.now();

  beforeAll(async () => {
    rmSync(WORK, { recursive: true, force: true });
    for (const m of ALL) writeCopy(m);
    const { report, stderr } = await runKit();
    results = new Map();
    for (const file of report.testResults) {
      const name = ALL.find((m) => file.name.includes(`/${slug(m.name)}/`))?.name;
      if (!name) throw new Error(`a report for an unknown file: ${file.name}`);
      if (file.assertionResults.length === 0) throw new Error(`${name}: no test ran — ${file.message ?? stderr.slice(-2000)}`);
      results.set(name, file.assertionResults);
    }
  }, 600_000);

  afterAll(() => {
    if (!results) return;
    const summary = {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      mutants: ALL.map((m) => ({
        name: m.name,
        bugClass: m.bugClass,
        failedChecks: (results.get(m.name) ?? []).filter((a) => a.status === 'failed').map((a) => a.title),
      })),
    };
    writeFileSync(join(ARTIFACTS, 'kit-mutation.json'), `${JSON.stringify(summary, null, 2)}\n`);
    rmSync(WORK, { recursive: true, force: true });
  });

  it('passes the unmodified strategy: every check runs (none skipped) and passes', () => {
    const clean = results.get(CLEAN.name)!;
    expect(clean.filter((a) => a.status !== 'passed').map((a) => `${a.status}: ${a.title}\n${a.failureMessages.join('\n').slice(0, 800)}`)).toEqual([]);
    expect(clean.length).toBeGreaterThanOrEqual(18);
  });

  it.each([...MUTANTS, ...CONTROLS].map((m) => [m.name, m] as const))('catches: %s', (_name, mutant) => {
    const failures = results.get(mutant.name)!.filter((a) => a.status === 'failed');
    const failed = failures.map((a) => a.title);
    const caught = mutant.caughtBy.filter((prefix) => failed.some((title) => title.startsWith(prefix)));
    expect(caught, `${mutant.bugClass}: expected the kit's "${mutant.caughtBy.join('" or "')}" check to fail; failed checks: ${JSON.stringify(failed)}`).not.toEqual([]);
    if (mutant.messageIncludes) {
      const designated = failures.filter((a) => mutant.caughtBy.some((prefix) => a.title.startsWith(prefix)));
      for (const a of designated) expect(a.failureMessages.join('\n'), a.title).toContain(mutant.messageIncludes);
    }
    if (mutant.messagesExclude) {
      for (const a of failures) expect(a.failureMessages.join('\n'), `${a.title} prints the secret`).not.toMatch(mutant.messagesExclude);
    }
    if (mutant.needsDeclaration) {
      // The honest half: only declared-property checks see this class; without the declaration the kit passes it.
      expect(failed.filter((title) => !DECLARATION_CHECKS.some((prefix) => title.startsWith(prefix))), 'checks that fail without any declaration').toEqual([]);
    }
  });
});
