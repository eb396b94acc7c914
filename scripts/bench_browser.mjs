/**
 * bench_browser.mjs — how fast the page's `explain()` is in headless Chromium, on the built dist/.
 *
 * Times the wasm export itself (JSON string out, not the page's rendering): the seed paste (median of 200
 * samples after warm-up; each sample is a batch of calls long enough for the timer's resolution), and
 * throughput on the ~1 MB log of shared/peers/make_biglog.py (median of 7 runs). Prints one JSON line.
 *
 * Usage: node scripts/bench_browser.mjs [dist]   (SHARED=… points at the shared/ folder; default ../shared)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const seed = readFileSync(join(ROOT, 'www/examples/seed_flat.txt'), 'utf8');

function makeBigLog() {
  const candidates = [process.env.SHARED, join(ROOT, '../shared'), '/work/shared'].filter(Boolean);
  const script = candidates.map((dir) => join(dir, 'peers/make_biglog.py')).find(existsSync);
  if (!script) throw new Error(`make_biglog.py not found in ${candidates.join(', ')}: set SHARED=<path to shared/>`);
  const dir = mkdtempSync(join(tmpdir(), 'biglog-'));
  const out = join(dir, 'biglog.txt');
  execFileSync('python3', [script, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const text = readFileSync(out, 'utf8');
  rmSync(dir, { recursive: true });
  return text;
}

const log = makeBigLog();
const server = await startServer(dist);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#results > *', { timeout: 15000 });

  const result = await page.evaluate(
    async ({ seed, log }) => {
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
      for (let s = 0; s < 200; s++) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) explain(seed);
        seedSamples.push((performance.now() - t) / batch);
      }

      const logReport = JSON.parse(explain(log)); // warm-up, and what it found
      const logSamples = [];
      for (let s = 0; s < 7; s++) {
        const t = performance.now();
        explain(log);
        logSamples.push(performance.now() - t);
      }
      const logMs = median(logSamples);
      return {
        seed_median_us: +(median(seedSamples) * 1000).toFixed(2),
        seed_min_us: +(Math.min(...seedSamples) * 1000).toFixed(2),
        seed_samples: seedSamples.length,
        seed_batch: batch,
        log_median_ms: +logMs.toFixed(2),
        log_mb_per_s: +(new TextEncoder().encode(log).length / 1e6 / (logMs / 1000)).toFixed(2),
        log_tracebacks: logReport.tracebacks?.length ?? null,
        timer_isolated: self.crossOriginIsolated,
      };
    },
    { seed, log },
  );
  console.log(
    JSON.stringify({
      bench: 'browser',
      chromium: browser.version(),
      seed_bytes: Buffer.byteLength(seed),
      log_bytes: Buffer.byteLength(log),
      ...result,
    }),
  );
} finally {
  await browser.close();
  await server.stop();
}
