/**
 * size_budget.mjs — the page's download budget: gzip -9 size of every HTML, JS, CSS and wasm file under
 * dist/ (the examples are loaded on demand and are not counted). Prints a table; exits 1 over budget.
 *
 * Usage: node scripts/size_budget.mjs [dist]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024; // bytes, gzip -9, all counted files together
const COUNTED = new Set(['.html', '.js', '.css', '.wasm']);

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist, { recursive: true })
  .map((f) => join(dist, f))
  .filter((f) => COUNTED.has(extname(f)))
  .sort();
if (files.length === 0) {
  console.error(`size budget: no HTML/JS/CSS/wasm files in ${dist}/ — run ./dev build first`);
  process.exit(1);
}

const rows = files.map((f) => {
  const raw = readFileSync(f);
  return { file: relative(dist, f), raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
});
const total = rows.reduce((sum, r) => ({ raw: sum.raw + r.raw, gzip: sum.gzip + r.gzip }), { raw: 0, gzip: 0 });

const width = Math.max(...rows.map((r) => r.file.length), 'file'.length, 'total'.length);
const line = (file, raw, gzip) => `${file.padEnd(width)}  ${String(raw).padStart(9)}  ${String(gzip).padStart(9)}`;
console.log(line('file', 'bytes', 'gzip -9'));
for (const r of rows) console.log(line(r.file, r.raw, r.gzip));
console.log(line('total', total.raw, total.gzip));

const ok = total.gzip <= BUDGET;
console.log(`${ok ? 'within' : 'OVER'} budget: ${total.gzip} of ${BUDGET} bytes gzipped (${((100 * total.gzip) / BUDGET).toFixed(1)} %)`);
process.exit(ok ? 0 : 1);
