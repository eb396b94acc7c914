/**
 * families.test.mjs — the knowledge-base index page (dist/families.html) in headless Chromium: every family
 * of `traceback-explainer --list` is listed, and its example traceback, explained in the page by the wasm
 * core, comes out as that family. Saves tests/e2e/artifacts/families.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from '../../scripts/browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');

let server;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(DIST);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the index lists every family and explains each example as its own family', async () => {
  const families = JSON.parse(readFileSync(join(DIST, 'families.json'), 'utf8'));
  assert.ok(families.length >= 1, 'families.json lists the families');
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  await page.goto(`${server.url}families.html`);
  await page.waitForSelector('.family-entry', { timeout: 10000 });
  assert.equal(await page.locator('.family-entry').count(), families.length, 'one entry per family');
  for (const f of families) {
    const entry = page.locator(`article[data-family="${f.family}"]`);
    assert.equal(await entry.count(), 1, `${f.family} has an entry`);
    const heading = await entry.locator('h3').textContent();
    assert.equal(heading, 'What the explainer says', `${f.family}'s example is recognised as ${f.family}`);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'families.png'), fullPage: false });
  assert.deepEqual(errors, [], 'no script errors');
  await page.close();
});
