/**
 * share.test.mjs — share links and the secrets warning in headless Chromium. The paste is a real Django 2.2 debug
 * page (fixtures/real/secrets/, made by fixtures/gen/secrets/make.py with made-up credentials in the server's
 * environment): the page warns about its secrets before anything is shared; a share link masks every one of
 * them; opening the link in a fresh browser context restores the masked paste and explains it the same way;
 * the fragment never reaches the server. Saves tests/e2e/artifacts/share.png and shared.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from '../../scripts/browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const PASTE = readFileSync(join(ROOT, 'fixtures/real/secrets/dj22_debug_text.txt'), 'utf8');
/** The made-up credentials fixtures/gen/secrets/make.py put in the server's environment and request. */
const PLANTED = [
  'Fx-db-pw-4e7a91',
  'Fx-mq-pw-0c3d',
  'Fx-redis-pw-77b2',
  'sk_test_FX51fixtureOnlyNotARealKey0000',
  'Fx-smtp-pw-19',
  'django-insecure-fx7#q2v!m8k@z4r$w9e^t1y&u3i',
  'fx0s3ss10n1dv4lu3abcdefghijklmno',
  'FxCsrf0123456789abcdefABCDEFghij',
];

let server;
let browser;

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/index.html is missing: run ./dev build first');
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(DIST);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Sets the paste box the way a paste does (one input event). */
async function setPaste(page, text) {
  await page.evaluate((t) => {
    const box = document.getElementById('paste');
    box.value = t;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

test('secrets are flagged on the page, masked in the link, and the link opens the masked paste explained', async () => {
  const present = PLANTED.filter((s) => PASTE.includes(s));
  assert.ok(present.length >= 5, `the fixture carries the planted secrets (${present.length})`);

  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(server.url);
  await page.waitForSelector('#results .cause');

  await setPaste(page, PASTE);
  await page.waitForSelector('#results .secrets li');
  const family = await page.locator('#results .cause').first().getAttribute('data-family');
  const warned = await page.locator('#results .secrets li').allTextContents();
  assert.ok(warned.length >= 5, `the warning lists the secrets: ${warned.join(' | ')}`);
  for (const line of warned) for (const s of PLANTED) assert.ok(!line.includes(s), `the warning does not repeat a secret: ${line}`);

  await page.click('#share-make');
  await page.waitForFunction(() => document.getElementById('share-url').value.includes('#v1.'));
  const link = await page.inputValue('#share-url');
  const note = await page.textContent('#share-masked');
  assert.match(note, /^Masked before making the link: /);
  assert.ok(Number(await page.getAttribute('#share-masked', 'data-masked')) >= 5);
  assert.ok(link.startsWith(`${server.url}#v1.`), link.slice(0, 80));
  assert.ok(link.length < PASTE.length, `the link is compressed: ${link.length} characters for ${PASTE.length}`);
  await page.click('#share-copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'Copy link puts the link on the clipboard');
  await page.screenshot({ path: join(ARTIFACTS, 'share.png') });

  // A colleague opens the link: a fresh context, nothing shared with the first but the address.
  const other = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const colleague = await other.newPage();
  const seen = [];
  colleague.on('request', (r) => seen.push(r.url()));
  await colleague.goto(link);
  await colleague.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened from a share link'));
  const restored = await colleague.inputValue('#paste');
  for (const s of PLANTED) assert.ok(!restored.includes(s), `the shared paste has no ${s.slice(0, 12)}…`);
  assert.ok(restored.includes('********'), 'masked values show as ********');
  assert.equal(restored.split('\n').length, PASTE.split('\n').length, 'masking keeps every line');
  assert.equal(await colleague.locator('#results .cause').first().getAttribute('data-family'), family, 'explained as the original was');
  assert.equal(await colleague.locator('#results .secrets').count(), 0, 'no secret is left to warn about');
  await colleague.screenshot({ path: join(ARTIFACTS, 'shared.png') });

  for (const url of [...requests, ...seen]) {
    assert.ok(url.startsWith(server.url) || url.startsWith('data:'), `only the page's own files were requested: ${url}`);
    assert.ok(!url.includes('#') && !url.includes('v1.'), `the fragment never travels in a request: ${url.slice(0, 80)}`);
  }
  await other.close();
  await context.close();
});

test('Mask them in the box masks the paste in place; a damaged link says so', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#results .cause');
  await setPaste(page, PASTE);
  await page.click('#mask-secrets');
  await page.waitForFunction(() => !document.querySelector('#results .secrets'));
  const masked = await page.inputValue('#paste');
  for (const s of PLANTED) assert.ok(!masked.includes(s));

  await page.goto(`${server.url}#v1.not-deflate-data`);
  await page.reload();
  await page.waitForSelector('#results .message');
  assert.match(await page.textContent('#results'), /share link is damaged/);
  await page.close();
});
