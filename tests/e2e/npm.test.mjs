/**
 * npm.test.mjs — the npm package (dist/npm, made by scripts/npm_package.mjs) as a consumer gets it: packed
 * with `npm pack` and unpacked into a fresh project's node_modules, then
 *  - type-checked: a TypeScript consumer that reads typed fields compiles with `tsc --strict`, a wrong field
 *    type does not, and the real reports of every fixture conform to `Report` as object literals (so a field
 *    the JSON has and the types lack, or the other way round, fails);
 *  - bundled with esbuild (plus the small plugin below, since esbuild has no WebAssembly ESM integration)
 *    and run in headless Chromium, which shows the final exception type and the top family of the seed;
 *  - run in Node with --experimental-wasm-modules.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { launchChromium, startServer } from '../../scripts/browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = join(ROOT, 'dist/npm');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const SEED = readFileSync(join(ROOT, 'www/examples/seed_flat.txt'), 'utf8');
// What the seed is: a flattened docker-compose paste of psycopg2 refusing the connection.
const SEED_TYPE = 'django.db.utils.OperationalError';
const SEED_FAMILY = 'pg-conn-refused';

let work; // the consumer project: package.json, tsconfig.json, sources, node_modules/traceback-explainer
let browser;

/** The consumer's code: typed field access a type change in the report would break. */
const MAIN_TS = `
import { explain, explainJson, maskSecrets, version } from 'traceback-explainer';
import type { Diagnosis, Frame, Masked, Origin, Report, SecretKind } from 'traceback-explainer';

export type Summary = { type: string | undefined; family: string | undefined; origins: Origin[]; port: number | undefined; version: string };

export function summarize(text: string): Summary {
  const report: Report = explain(text);
  const last = report.tracebacks[0]?.exceptions.at(-1);
  const best: Diagnosis | undefined = report.diagnosis[0];
  const origins: Origin[] = (last?.frames ?? []).map((f: Frame) => f.origin);
  const confidence: number = best?.confidence ?? 0;
  const after: string | undefined = best?.fix?.after;
  const line: number | null | undefined = last?.frames.at(-1)?.line;
  const json: string = explainJson(text);
  if (confidence < 0 || (after !== undefined && typeof after !== 'string') || line === 0 || json.length === 0) {
    throw new Error('unreachable');
  }
  return { type: last?.type, family: best?.family, origins, port: report.facts.db_port, version: version() };
}

export function masked(text: string): { text: string; kinds: SecretKind[] } {
  const result: Masked = maskSecrets(text);
  return { text: result.text, kinds: result.secrets.map((s) => s.kind) };
}
`;

const BROWSER_TS = `
import { summarize } from './main';

const out = document.getElementById('out') as HTMLElement;
const summary = summarize(document.getElementById('paste')?.textContent ?? '');
out.textContent = JSON.stringify(summary);
out.dataset.type = summary.type ?? '';
out.dataset.family = summary.family ?? '';
`;

// Each of these must fail to compile: the types are real, not \`any\`.
const WRONG_TS = `
import { explain } from 'traceback-explainer';
const report = explain('');
export const n: number = report.tracebacks[0]!.exceptions[0]!.type;
export const s: string = report.primary;
export const o: 'app' | 'django' = report.tracebacks[0]!.exceptions[0]!.frames[0]!.origin;
export const missing = report.diagnosis[0]!.familly;
`;

const NODE_MJS = `
import { readFileSync } from 'node:fs';
import { explain, explainJson, maskSecrets, version } from 'traceback-explainer';

const reports = process.argv.slice(2).map((file) => {
  const text = readFileSync(file, 'utf8');
  const json = explainJson(text);
  if (JSON.stringify(explain(text)) !== JSON.stringify(JSON.parse(json))) throw new Error('explain and explainJson differ: ' + file);
  return JSON.parse(json);
});
const masked = maskSecrets('DATABASE_URL=postgres://app:hunter2@db:5432/app\\n');
process.stdout.write(JSON.stringify({ version: version(), reports, masked }));
`;

/** esbuild has no WebAssembly ESM integration: `import * as wasm from './x_bg.wasm'` becomes a module that
 *  instantiates the wasm (top-level await) with the modules it imports, and exports what the wasm exports. */
const wasmEsmPlugin = {
  name: 'wasm-esm',
  setup(build) {
    build.onResolve({ filter: /\.wasm$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path),
      namespace: args.namespace === 'wasm-module' ? 'wasm-bytes' : 'wasm-module',
    }));
    build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => {
      const module = new WebAssembly.Module(readFileSync(args.path));
      const from = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
      const names = WebAssembly.Module.exports(module).map((e) => e.name);
      for (const name of names) if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`wasm export ${name}`);
      const contents = [
        ...from.map((m, i) => `import * as imports${i} from ${JSON.stringify(m)};`),
        `import bytes from ${JSON.stringify(args.path)};`,
        `const { instance } = await WebAssembly.instantiate(bytes, { ${from.map((m, i) => `${JSON.stringify(m)}: imports${i}`).join(', ')} });`,
        ...names.map((n) => `export const ${n} = instance.exports.${n};`),
      ].join('\n');
      return { contents, resolveDir: dirname(args.path), loader: 'js' };
    });
    build.onLoad({ filter: /.*/, namespace: 'wasm-bytes' }, (args) => ({ contents: readFileSync(args.path), loader: 'binary' }));
  },
};

function tsc(project) {
  return spawnSync(process.execPath, [TSC, '-p', project], { cwd: work, encoding: 'utf8' });
}

function writeTsconfig(name, files) {
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      module: 'esnext',
      moduleResolution: 'bundler',
      types: [],
    },
    files,
  };
  writeFileSync(join(work, name), JSON.stringify(config, null, 2));
  return name;
}

function fixtureFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.txt')) found.push(path);
    }
  };
  walk(join(ROOT, 'fixtures'));
  walk(join(ROOT, 'www/examples'));
  return found.sort();
}

/** Runs the packed package in Node over `files`; resolves to { version, reports }. */
function runInNode(files) {
  const out = execFileSync(process.execPath, ['--experimental-wasm-modules', '--no-warnings', 'node.mjs', ...files], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out);
}

before(async () => {
  assert.ok(existsSync(join(PACKAGE, 'package.json')), 'dist/npm is missing: run ./dev build first');
  work = mkdtempSync(join(tmpdir(), 'tbx-npm-'));
  // npm pack honours "files": what a consumer installs, not whatever is in the folder.
  const packed = JSON.parse(execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], { encoding: 'utf8' }));
  const into = join(work, 'node_modules/traceback-explainer');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', into, '--strip-components=1']);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(work, 'main.ts'), MAIN_TS);
  writeFileSync(join(work, 'browser.ts'), BROWSER_TS);
  writeFileSync(join(work, 'wrong.ts'), WRONG_TS);
  writeFileSync(join(work, 'node.mjs'), NODE_MJS);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the packed package holds the bundler build, the typed entry point and the report types', () => {
  const pkg = JSON.parse(readFileSync(join(work, 'node_modules/traceback-explainer/package.json'), 'utf8'));
  const cargo = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  assert.match(cargo, new RegExp(`^version = "${pkg.version.replaceAll('.', '\\.')}"$`, 'm'), 'version from Cargo.toml');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.exports['.'].types, './index.d.ts');
  assert.deepEqual(pkg.sideEffects, ['./traceback_explainer_wasm.js']);
  const files = readdirSync(join(work, 'node_modules/traceback-explainer')).sort();
  assert.deepEqual(files, [...pkg.files, 'package.json', 'README.md'].sort());
  const glue = readFileSync(join(work, 'node_modules/traceback-explainer/traceback_explainer_wasm.js'), 'utf8');
  assert.match(glue, /import \* as wasm from "\.\/traceback_explainer_wasm_bg\.wasm"/, 'wasm-bindgen --target bundler');
});

test('a strict TypeScript consumer type-checks, and a wrong one does not', () => {
  const ok = tsc(writeTsconfig('tsconfig.json', ['main.ts', 'browser.ts']));
  assert.equal(ok.status, 0, `tsc failed on the consumer:\n${ok.stdout}${ok.stderr}`);

  const wrong = tsc(writeTsconfig('tsconfig.wrong.json', ['wrong.ts']));
  assert.notEqual(wrong.status, 0, 'tsc accepted wrong field types: the report types are not in effect');
  for (const line of [4, 5, 6, 7]) {
    assert.match(wrong.stdout, new RegExp(`wrong\\.ts\\(${line},`), `no type error on line ${line} of wrong.ts:\n${wrong.stdout}`);
  }
});

test('in Node, the package explains the seed and the real reports of every fixture conform to Report', () => {
  const files = fixtureFiles();
  assert.ok(files.length > 100, `fixtures found: ${files.length}`);
  const { version, reports, masked } = runInNode(files);
  assert.match(version, /^\d+\.\d+\.\d+/);
  assert.ok(!masked.text.includes('hunter2') && masked.text.includes('postgres://app:'), masked.text);
  assert.deepEqual(masked.secrets.map((s) => s.kind), ['url_password']);

  const seed = reports[files.indexOf(join(ROOT, 'www/examples/seed_flat.txt'))];
  assert.equal(seed.tracebacks[0].exceptions.at(-1).type, SEED_TYPE);
  assert.equal(seed.diagnosis[0].family, SEED_FAMILY);

  // Every report as an object literal typed `Report`: tsc's excess-property and missing-property checks
  // compare the JSON's actual shape with the generated types, field by field.
  const literals = reports.map((r, i) => `  // ${relative(ROOT, files[i])}\n  ${JSON.stringify(r)},`).join('\n');
  writeFileSync(join(work, 'reports.ts'), `import type { Report } from 'traceback-explainer';\n\nexport const reports: Report[] = [\n${literals}\n];\n`);
  const checked = tsc(writeTsconfig('tsconfig.reports.json', ['reports.ts']));
  assert.equal(checked.status, 0, `real reports do not match the Report type:\n${checked.stdout.slice(0, 4000)}`);
});

test('bundled with esbuild, the consumer runs in headless Chromium', async () => {
  const site = join(work, 'site');
  mkdirSync(site);
  await esbuild.build({
    absWorkingDir: work,
    entryPoints: ['browser.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(site, 'bundle.js'),
    plugins: [wasmEsmPlugin],
    logLevel: 'warning',
  });
  const escaped = SEED.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  writeFileSync(
    join(site, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>consumer</title>\n<pre id="paste">${escaped}</pre>\n<pre id="out"></pre>\n<script type="module" src="bundle.js"></script>\n`,
  );

  const server = await startServer(site);
  try {
    const page = await browser.newPage();
    const errors = [];
    const foreign = [];
    page.on('pageerror', (err) => errors.push(err));
    page.on('request', (req) => req.url().startsWith(server.url) || foreign.push(req.url()));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('out')?.dataset.family !== undefined, null, { timeout: 15000 });
    const out = page.locator('#out');
    assert.equal(await out.getAttribute('data-type'), SEED_TYPE);
    assert.equal(await out.getAttribute('data-family'), SEED_FAMILY);
    const summary = JSON.parse(await out.textContent());
    assert.equal(summary.port, 5432);
    assert.ok(summary.origins.includes('django'), `origins: ${summary.origins}`);
    assert.deepEqual(errors, [], 'no script errors');
    assert.deepEqual(foreign, [], 'the bundle requests nothing outside its own origin');
    await page.close();
  } finally {
    await server.stop();
  }
});
