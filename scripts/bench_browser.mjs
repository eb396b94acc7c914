/**
 * bench_browser.mjs — the page's performance figures in headless Chromium, on the built dist/:
 *
 *   - seed: the wasm `explain()` on the seed paste (median of 200 samples after warm-up; each sample a batch of
 *     calls long enough for the timer's resolution), JSON string out, no rendering;
 *   - log_1mb: `explain()` on a 1 MB server log in one call (median of 7 runs) — what a paste of that size costs;
 *   - log_10mb: a 10 MB server log picked with the file input, scanned the way a user's log is (Web Worker,
 *     1 MB pieces, groups), from the pick to the last group on screen (median of 3);
 *   - page weight: gzip -9 of what the explainer page loads (scripts/size_budget.mjs's count).
 *
 * The logs are scripts/make_log.mjs output (real tracebacks from fixtures/real/). Prints one JSON line and a
 * Markdown table for the README. `--quick` runs fewer samples (the smoke run in `./dev test`).
 *
 * Usage: node scripts/bench_browser.mjs [dist] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from './browser.mjs';
import { makeLog } from './make_log.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dist = resolve(args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'dist'));
const seed = readFileSync(join(ROOT, 'www/examples/seed_flat.txt'), 'utf8');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const tmp = mkdtempSync(join(tmpdir(), 'bench-'));
const log1 = join(tmp, 'server-1mb.log');
const log10 = join(tmp, 'server-10mb.log');
const expect1 = makeLog(log1, 1);
const expect10 = makeLog(log10, 10);

/** The explainer page's weight as size_budget.mjs counts it (gzip -9 of everything index.html loads). */
function pageWeight() {
  const out = execFileSync('node', [join(ROOT, 'scripts/size_budget.mjs'), dist], { encoding: 'utf8' });
  const block = out.split('\n\n').find((b) => b.startsWith('index.html'));
  const m = /budget: (\d+) of (\d+) bytes/.exec(block ?? '');
  if (!m) throw new Error(`size_budget.mjs printed no figure for index.html:\n${out}`);
  return { gzip: Number(m[1]), budget: Number(m[2]) };
}

const server = await startServer(dist);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#results > *', { timeout: 15000 });

  const inPage = await page.evaluate(
    async ({ seed, log, samples, runs }) => {
      const { default: init, explain } = await import(new URL('pkg/traceback_explainer_wasm.js', location.href).href);
      await init(); // already initialised by the page: returns at once
      const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      for (let i = 0; i < 50; i++) explain(seed);
      let batch = 1;
      for (;;) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) explain(seed);
        if (performance.now() - t >= 2 || batch >= 1 << 16) break;
        batch *= 2;
      }
      const seedSamples = [];
      for (let s = 0; s < samples; s++) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) explain(seed);
        seedSamples.push((performance.now() - t) / batch);
      }
      const found = JSON.parse(explain(log)).tracebacks.length; // warm-up, and what it found
      const logSamples = [];
      for (let s = 0; s < runs; s++) {
        const t = performance.now();
        explain(log);
        logSamples.push(performance.now() - t);
      }
      return { seedMs: median(seedSamples), seedSamples: seedSamples.length, batch, logMs: median(logSamples), found, isolated: self.crossOriginIsolated };
    },
    { seed, log: readFileSync(log1, 'utf8'), samples: quick ? 20 : 200, runs: quick ? 2 : 7 },
  );
  if (inPage.found !== expect1.tracebacks) throw new Error(`1 MB log: ${inPage.found} tracebacks found, ${expect1.tracebacks} written`);

  // The 10 MB log the way a user opens one: the file input, the worker, the groups on screen.
  const scans = [];
  for (let run = 0; run < (quick ? 1 : 3); run++) {
    await page.evaluate(() => delete document.getElementById('log-status').dataset.ms);
    const t = Date.now();
    await page.setInputFiles('#log-file', log10);
    await page.waitForFunction(() => document.getElementById('log-status').dataset.ms, null, { timeout: 120000 });
    const wall = Date.now() - t;
    const status = await page.textContent('#log-status');
    const want = `${expect10.tracebacks} tracebacks in ${expect10.groups.length} groups`;
    if (!status.startsWith(want)) throw new Error(`10 MB log: "${status}", expected "${want}"`);
    scans.push({ worker: Number(await page.getAttribute('#log-status', 'data-ms')), wall });
  }
  const scanMs = median(scans.map((s) => s.worker));
  const wallMs = median(scans.map((s) => s.wall));
  const weight = pageWeight();
  const mb1 = expect1.bytes / 1e6;
  const mb10 = expect10.bytes / 1e6;
  const result = {
    bench: 'browser',
    chromium: browser.version(),
    quick,
    seed_bytes: Buffer.byteLength(seed),
    seed_median_us: +(inPage.seedMs * 1000).toFixed(2),
    seed_samples: inPage.seedSamples,
    seed_batch: inPage.batch,
    log_1mb_ms: +inPage.logMs.toFixed(1),
    log_1mb_mb_per_s: +(mb1 / (inPage.logMs / 1000)).toFixed(1),
    log_10mb_bytes: expect10.bytes,
    log_10mb_tracebacks: expect10.tracebacks,
    log_10mb_worker_ms: +scanMs.toFixed(0),
    log_10mb_mb_per_s: +(mb10 / (scanMs / 1000)).toFixed(1),
    log_10mb_pick_to_done_ms: wallMs,
    page_weight_gzip: weight.gzip,
    page_budget_gzip: weight.budget,
    timer_isolated: inPage.isolated,
  };
  console.log(JSON.stringify(result));
  console.log(`
| figure (headless Chromium ${result.chromium}) | value |
|---|---|
| explain the seed paste | ${(inPage.seedMs * 1000).toFixed(0)} µs (median of ${inPage.seedSamples}) |
| explain a 1 MB log in one call | ${result.log_1mb_ms} ms, ${result.log_1mb_mb_per_s} MB/s (${expect1.tracebacks} tracebacks) |
| scan a 10 MB log in the worker, groups on screen | ${(scanMs / 1000).toFixed(2)} s, **${result.log_10mb_mb_per_s} MB/s** (${expect10.tracebacks} tracebacks, ${expect10.groups.length} groups) |
| page weight, gzip -9 | ${(weight.gzip / 1024).toFixed(0)} KB of ${(weight.budget / 1024).toFixed(0)} KB |`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
