/**
 * offline.test.mjs — the single-file build (dist/offline/traceback-explainer.html) opened from file:// in
 * headless Chromium with every network request blocked: the seed is explained on load, a paste is explained,
 * a share link made there opens in another tab, a dropped log is grouped (scanned on the page: no worker starts from file://), and the page asks for nothing
 * but its own file. Saves tests/e2e/artifacts/offline.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from '../../scripts/browser.mjs';
import { makeLog } from '../../scripts/make_log.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = join(ROOT, 'dist/offline/traceback-explainer.html');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const SEED = readFileSync(join(ROOT, 'www/examples/seed_flat.txt'), 'utf8');

let browser;

before(async () => {
  assert.ok(existsSync(FILE), 'dist/offline/traceback-explainer.html is missing: run ./dev build first');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

test('the single file works from file:// with the network blocked', async () => {
  const context = await browser.newContext({ offline: true });
  const blocked = [];
  await context.route(/^https?:/, (route) => {
    blocked.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (req) => requests.push(req.url()));
  page.on('pageerror', (err) => errors.push(err));
  const url = pathToFileURL(FILE).href;
  await page.goto(url);
  await page.waitForSelector('#results .cause', { timeout: 15000 });
  assert.equal((await page.inputValue('#paste')).trim(), SEED.trim(), 'the seed paste is in the box');
  assert.equal(await page.locator('#results .chain .frame').count(), 5, 'five frames are listed');
  assert.equal(await page.locator('#results .cause').first().getAttribute('data-family'), 'pg-conn-refused');

  await page.fill('#paste', 'Traceback (most recent call last):\n  File "/srv/app/views.py", line 3, in index\n    return d["k"]\nKeyError: \'k\'\n');
  await page.waitForFunction(() => document.querySelector('#results')?.textContent.includes('KeyError'));
  await page.screenshot({ path: join(ARTIFACTS, 'offline.png'), fullPage: false });

  // A share link works from the file too: made here, opened in a second tab of the same offline context.
  await page.click('#share-make');
  await page.waitForFunction(() => document.getElementById('share-url').value.includes('#v1.'));
  const link = await page.inputValue('#share-url');
  assert.ok(link.startsWith(`${url}#v1.`));
  const tab = await context.newPage();
  await tab.goto(link);
  await tab.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened from a share link'));
  assert.match(await tab.inputValue('#paste'), /KeyError: 'k'/);
  await tab.close();

  // A dropped log is scanned on the page itself (no worker starts from file://) and grouped the same way.
  const logFile = join(ARTIFACTS, 'offline-2mb.log');
  const expected = makeLog(logFile, 2);
  await page.evaluate((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'server.log', { type: 'text/plain' }));
    document.querySelector('section.input').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, readFileSync(logFile, 'utf8'));
  await page.waitForFunction(() => document.getElementById('log-status').textContent.includes(' read in '), null, { timeout: 30000 });
  assert.match(await page.textContent('#log-status'), new RegExp(`^${expected.tracebacks} tracebacks in ${expected.groups.length} groups`));

  assert.deepEqual(blocked, [], 'no http(s) request was attempted');
  assert.deepEqual(requests.filter((r) => r !== url), [], 'the page requested nothing but its own file');
  assert.deepEqual(errors, [], 'no script errors');
  await context.close();
});
