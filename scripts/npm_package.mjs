/**
 * npm_package.mjs — the npm package for docs sites built with bundlers: dist/npm/, ready for `npm pack` or
 * `npm publish`. It is the bundler build of the same wasm the page uses (`wasm-bindgen --target bundler`,
 * then npm binaryen's `wasm-opt -Oz`) plus the committed package sources in npm/: package.json (its version
 * is set here from the workspace Cargo.toml), README.md, the typed entry point index.js + index.d.ts and
 * report.d.ts, the TypeScript types of the report generated from crates/core/src/model.rs (checked by
 * crates/core/tests/ts_types.rs).
 *
 * Usage: node scripts/npm_package.mjs [wasm file] [out dir]
 *   defaults: target/wasm32-unknown-unknown/wasm-release/traceback_explainer_wasm.wasm  dist/npm
 * Called by `./dev build` after the wasm is built; needs wasm-bindgen on PATH (`./dev setup`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const wasmFile = process.argv[2] ?? join(ROOT, 'target/wasm32-unknown-unknown/wasm-release/traceback_explainer_wasm.wasm');
const out = process.argv[3] ?? join(ROOT, 'dist/npm');
const SOURCES = ['README.md', 'index.js', 'index.d.ts', 'report.d.ts'];

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync(out, { recursive: true, force: true });
run('wasm-bindgen', ['--target', 'bundler', '--out-dir', out, wasmFile]);
// The npm binaryen, never Debian's: its wasm-opt 108 breaks wasm-bindgen's reference table.
const bg = join(out, 'traceback_explainer_wasm_bg.wasm');
run(join(ROOT, 'node_modules/.bin/wasm-opt'), ['-Oz', bg, '-o', bg]);

for (const file of SOURCES) copyFileSync(join(ROOT, 'npm', file), join(out, file));

const cargo = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
const version = /\[workspace\.package\][^[]*?^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
if (!version) throw new Error('no version in [workspace.package] of Cargo.toml');
const pkg = JSON.parse(readFileSync(join(ROOT, 'npm/package.json'), 'utf8'));
pkg.version = version;
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

// What the package ships and what is in the folder must agree: a file wasm-bindgen starts writing (a
// `snippets/` folder, say) or a source renamed would otherwise be silently left out of the tarball.
const shipped = new Set([...pkg.files, 'package.json', 'README.md']);
const present = readdirSync(out);
const missing = [...shipped].filter((f) => !existsSync(join(out, f)));
const unlisted = present.filter((f) => !shipped.has(f));
if (missing.length || unlisted.length) {
  throw new Error(`npm/package.json "files" disagrees with ${out}: missing ${missing.join(', ') || '-'}; unlisted ${unlisted.join(', ') || '-'}`);
}
console.log(`npm package ${pkg.name}@${version} in ${out} (wasm ${readFileSync(bg).length} bytes)`);
