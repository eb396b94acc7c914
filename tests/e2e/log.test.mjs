/**
 * log.test.mjs — big logs in headless Chromium: a 50 MB Django server log (real tracebacks from fixtures/real/,
 * written by scripts/make_log.mjs) picked with the file input is scanned in the Web Worker with progress; the
 * page answers a click while the scan runs; the tracebacks come out grouped by signature with the exact counts
 * the generator wrote; a group opens its explanation; Cancel stops a scan; a dropped file and a big paste take
 * the same path. Saves tests/e2e/artifacts/log.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from '../../scripts/browser.mjs';
import { makeLog } from '../../scripts/make_log.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const BIG = join(ARTIFACTS, 'server-50mb.log');
const SMALL = join(ARTIFACTS, 'server-2mb.log');

let server;
let browser;
let page;
let expectBig;
let expectSmall;
const pageErrors = [];
const foreign = [];

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/index.html is missing: run ./dev build first');
  mkdirSync(ARTIFACTS, { recursive: true });
  expectBig = makeLog(BIG, 50);
  expectSmall = makeLog(SMALL, 2);
  server = await startServer(DIST);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  page.setDefaultTimeout(10000);
  page.on('pageerror', (err) => pageErrors.push(err));
  page.on('request', (req) => {
    if (!req.url().startsWith(server.url) && !req.url().startsWith('blob:') && !req.url().startsWith('data:')) foreign.push(req.url());
  });
  await page.goto(server.url);
  await page.waitForSelector('#results .cause');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const progress = () => page.evaluate(() => {
  const p = document.getElementById('log-progress');
  return { value: p.value, max: p.max };
});

/** Groups on screen: family, count, the lines text. */
const groups = () => page.$$eval('#log-groups .log-group', (items) => items.map((li) => ({
  family: li.dataset.family,
  count: Number(li.querySelector('.count').textContent.replace('×', '')),
})));

function assertGroups(actual, expected) {
  const want = expected.groups.map((g) => ({ family: g.family, count: g.count })).sort((a, b) => b.count - a.count || a.family.localeCompare(b.family));
  const got = [...actual].sort((a, b) => b.count - a.count || a.family.localeCompare(b.family));
  assert.deepEqual(got, want);
}

test('a 50 MB log is scanned in the worker, the page answers clicks meanwhile, groups match what was written', async () => {
  await page.setInputFiles('#log-file', BIG);
  // The first group shows after the first piece, long before the end.
  await page.waitForSelector('#log-groups .log-group button');
  const before = await progress();
  assert.ok(before.value > 0 && before.value < before.max, `the scan is under way (${before.value} of ${before.max})`);

  // A click during the scan is answered: the group opens its explanation while the worker keeps reading.
  const clickedAt = Date.now();
  await page.click('#log-groups .log-group button');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Log group'));
  const answeredIn = Date.now() - clickedAt;
  const during = await progress();
  assert.ok(during.value < during.max, `the click was answered while the scan ran (${during.value} of ${during.max})`);
  assert.ok(answeredIn < 2000, `the click was answered in ${answeredIn} ms`);
  assert.ok((await page.locator('#results .cause').count()) > 0, 'the group explanation shows its causes');

  await page.waitForFunction(() => document.getElementById('log-status').textContent.includes(' read in '), null, { timeout: 120000 });
  const status = await page.textContent('#log-status');
  assert.match(status, new RegExp(`^${expectBig.tracebacks} tracebacks in ${expectBig.groups.length} groups`));
  assertGroups(await groups(), expectBig);
  assert.equal(await page.isVisible('#log-cancel'), false, 'Cancel is hidden once the scan is done');
  const done = await progress();
  assert.equal(done.value, done.max);
  console.log(`# 50 MB log: ${status}`);

  // The most frequent group is first; opening another one shows its own family.
  const second = page.locator('#log-groups .log-group').nth(1);
  const family = await second.getAttribute('data-family');
  await second.locator('button').click();
  await page.waitForFunction((f) => document.querySelector('#results .cause')?.dataset.family === f, family);
  assert.equal(await second.getAttribute('aria-current'), 'true');
  await page.screenshot({ path: join(ARTIFACTS, 'log.png'), fullPage: false });
});

test('Cancel stops a scan where it is', async () => {
  await page.setInputFiles('#log-file', BIG);
  await page.waitForFunction(() => document.getElementById('log-progress').value > 0);
  await page.click('#log-cancel');
  const at = await progress();
  assert.ok(at.value < at.max);
  await page.waitForTimeout(500);
  assert.deepEqual(await progress(), at, 'no progress after Cancel');
  assert.match(await page.textContent('#log-status'), /^Cancelled after /);
  assert.equal(await page.isVisible('#log-cancel'), false);
});

test('a dropped log file and a big paste are grouped the same way', async () => {
  const text = readFileSync(SMALL, 'utf8');
  await page.evaluate((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'dropped.log', { type: 'text/plain' }));
    const zone = document.querySelector('section.input');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForFunction(() => document.getElementById('log-status').textContent.includes(' read in '));
  assert.match(await page.textContent('#log-h'), /dropped\.log/);
  assertGroups(await groups(), expectSmall);

  // A real paste is one input event; page.fill would type 2 MB through the protocol.
  await page.evaluate((content) => {
    const box = document.getElementById('paste');
    box.value = content;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  await page.waitForFunction(() => document.getElementById('log-h').textContent.includes('pasted text') && document.getElementById('log-status').textContent.includes(' read in '));
  assertGroups(await groups(), expectSmall);
  assert.deepEqual(foreign, [], 'no request left the page’s origin');
  assert.deepEqual(pageErrors, [], 'no script errors');
});
