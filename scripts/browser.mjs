/**
 * browser.mjs — what the page tests and the browser benchmark share: serving a folder with scripts/serve.py
 * on a free 127.0.0.1 port, and launching Debian's headless Chromium through playwright-core.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SERVE_PY = fileURLToPath(new URL('./serve.py', import.meta.url));

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Starts scripts/serve.py on a free port; resolves to { url, stop }. */
export function startServer(dir) {
  const child = spawn('python3', [SERVE_PY, dir, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`serve.py exited early with code ${code}`)));
    lines.once('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (!m) return reject(new Error(`unexpected serve.py output: ${line}`));
      resolve({
        url: m[1],
        stop: () => new Promise((done) => {
          child.once('exit', done);
          child.kill();
        }),
      });
    });
  });
}

/** Launches headless Chromium with the flags that work as root on these machines. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
