// `npm run bench`: runs every bench/*.bench.mjs in turn and prints a markdown table per file.
// Results are ratios within one run on one machine; docs/benchmarks.md records them with the method.
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const only = process.argv[2];
const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only)));
console.log(`# Gatehouse benchmarks — ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
for (const file of files) {
  const mod = await import(new URL(file, import.meta.url));
  const rows = await mod.run();
  console.log(`## ${file}\n`);
  const cols = Object.keys(rows[0] ?? {});
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
  console.log();
}
