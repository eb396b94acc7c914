/**
 * single_file.mjs — the offline build: one HTML file with everything inlined (styles, the wasm-bindgen glue,
 * the page script, the wasm as base64 and the examples), that works when opened from file:// with no network.
 *
 * The glue, log-scan.js and app.js become one inline module (app.js's imports are dropped; `init` is bound to
 * the glue's default export). Big logs are scanned on the page there: a worker cannot start from file://.
 * The wasm and examples travel in a `<script type="application/json">` block, which is data, never run. The Content-Security-Policy allows exactly the inline script and style by their SHA-256
 * hashes and forbids every connection (`connect-src 'none'`).
 *
 * Usage: node scripts/single_file.mjs [dist]   → dist/offline/traceback-explainer.html
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const read = (f) => readFileSync(join(dist, f), 'utf8');

const glue = read('pkg/traceback_explainer_wasm.js');
const app = read('app.js');
const css = read('style.css');
const html = read('index.html');
const wasm = readFileSync(join(dist, 'pkg/traceback_explainer_wasm_bg.wasm'));
const index = JSON.parse(read('examples/index.json'));
const files = Object.fromEntries(index.examples.map((e) => [e.file, read(`examples/${e.file}`)]));

const importLine = /^import init, \{[^}]*\} from '\.\/pkg\/traceback_explainer_wasm\.js';$/m;
if (!importLine.test(app)) throw new Error('app.js no longer imports the glue the way single_file.mjs expects');
// app.js's other module (the log scan loop) is inlined too, its `export`s dropped.
const scanImport = /^import \{[^}]*\} from '\.\/log-scan\.js';$/m;
if (!scanImport.test(app)) throw new Error('app.js no longer imports log-scan.js the way single_file.mjs expects');
const scan = read('log-scan.js').replace(/^export /gm, '');
const script = `${glue}\nconst init = __wbg_init;\n${scan}\n${app.replace(importLine, '').replace(scanImport, '')}`;
if (!/__wbg_init/.test(glue)) throw new Error('the wasm-bindgen glue has no __wbg_init');

// JSON inside <script>: escape `<` so no `</script>` in an example can close the block.
const data = JSON.stringify({ wasm: wasm.toString('base64'), examples: { index, files } }).replaceAll('<', '\\u003c');
const sha = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const csp = [
  "default-src 'none'",
  `script-src ${sha(script)} 'wasm-unsafe-eval'`,
  `style-src ${sha(css)}`,
  "img-src data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

let out = html
  .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`)
  .replace('<link rel="stylesheet" href="style.css">', () => `<style>${css}</style>`)
  .replace('<script type="module" src="app.js"></script>', () => `<script type="application/json" id="offline-data">${data}</script>\n  <script type="module">${script}</script>`)
  .replace(/·\s*<a href="families\.html">Error families<\/a>/, '· offline copy');
for (const needle of ['<style>', 'id="offline-data"', '<script type="module">']) {
  if (!out.includes(needle)) throw new Error(`single_file.mjs: index.html changed shape (${needle} not placed)`);
}
mkdirSync(join(dist, 'offline'), { recursive: true });
writeFileSync(join(dist, 'offline/traceback-explainer.html'), out);
console.log(`wrote ${join(dist, 'offline/traceback-explainer.html')}: ${out.length} bytes`);
