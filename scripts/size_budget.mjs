/**
 * size_budget.mjs — each page's download budget: the gzip -9 size of the HTML, JS, CSS and wasm a page loads
 * (its own HTML, the scripts and stylesheets it references, the modules they import, and the wasm next to the
 * wasm-bindgen glue). Data fetched on demand (examples, families.json) is not page weight. Prints a table per
 * page; exits 1 when any page is over budget.
 *
 * Usage: node scripts/size_budget.mjs [dist]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 200 * 1024; // bytes, gzip -9, per page

const dist = process.argv[2] ?? 'dist';
const pages = readdirSync(dist).filter((f) => f.endsWith('.html')).sort();
if (pages.length === 0) {
  console.error(`size budget: no HTML pages in ${dist}/ — run ./dev build first`);
  process.exit(1);
}

/** Files a page loads: follows src/href in HTML, static imports in JS, and the wasm of wasm-bindgen glue. */
function loaded(page) {
  const seen = new Set();
  const visit = (file) => {
    const path = normalize(file);
    if (seen.has(path) || !existsSync(join(dist, path))) return;
    seen.add(path);
    const text = readFileSync(join(dist, path), 'utf8');
    const here = dirname(path);
    const refs = [];
    if (path.endsWith('.html')) {
      for (const m of text.matchAll(/\b(?:src|href)="([^"#?:]+\.(?:js|css|mjs))"/g)) refs.push(m[1]);
    } else if (path.endsWith('.js')) {
      // Static imports and literal dynamic ones (`import('./pkg/…')`, as embed.js loads the core lazily).
      // Minified code drops the spaces: `import a,{b}from"./pkg/x.js"`.
      for (const m of text.matchAll(/\bimport(?:\s*(?:[^'"()]*?\bfrom\s*)?|\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) refs.push(m[1]);
      const wasm = path.replace(/\.js$/, '_bg.wasm');
      if (existsSync(join(dist, wasm))) seen.add(wasm);
    }
    for (const ref of refs) visit(join(here, ref));
  };
  visit(page);
  return [...seen].sort();
}

let over = false;
for (const page of pages) {
  const rows = loaded(page).map((f) => {
    const raw = readFileSync(join(dist, f));
    return { file: f, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
  const total = rows.reduce((sum, r) => ({ raw: sum.raw + r.raw, gzip: sum.gzip + r.gzip }), { raw: 0, gzip: 0 });
  const width = Math.max(...rows.map((r) => r.file.length), 'total'.length, 12);
  const line = (file, raw, gzip) => `  ${file.padEnd(width)}  ${String(raw).padStart(9)}  ${String(gzip).padStart(9)}`;
  console.log(`${page}`);
  console.log(line('file', 'bytes', 'gzip -9'));
  for (const r of rows) console.log(line(r.file, r.raw, r.gzip));
  console.log(line('total', total.raw, total.gzip));
  const ok = total.gzip <= BUDGET;
  over ||= !ok;
  console.log(`  ${ok ? 'within' : 'OVER'} budget: ${total.gzip} of ${BUDGET} bytes gzipped (${((100 * total.gzip) / BUDGET).toFixed(1)} %)\n`);
}
process.exit(over ? 1 : 0);
