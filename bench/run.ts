/**
 * `npm run bench [-- --json out.json] [-- --only group1,group2]`
 * Runs every scenario in bench/scenarios/*.ts and prints medians and min–max.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printResult, type Result, runScenario, type Scenario } from './harness.js';

const args = process.argv.slice(2);
const jsonIdx = args.indexOf('--json');
const jsonOut = jsonIdx >= 0 ? (args[jsonIdx + 1] ?? 'bench/results.json') : undefined;
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new Set((args[onlyIdx + 1] ?? '').split(',')) : undefined;

const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort();

console.log(
  `mpc-tss bench — node ${process.version}, ${cpus().length} cores, ${cpus()[0]?.model ?? ''}`,
);
const results: Result[] = [];
let lastGroup = '';
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { scenarios: Scenario[] };
  for (const s of mod.scenarios) {
    if (only && !only.has(s.group)) continue;
    if (s.group !== lastGroup) {
      console.log(`\n${s.group}`);
      lastGroup = s.group;
    }
    const r = await runScenario(s);
    printResult(r);
    results.push(r);
  }
}
if (jsonOut) {
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2)}\n`,
  );
  console.log(`\nwrote ${jsonOut}`);
}
process.exit(0);
