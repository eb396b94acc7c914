/**
 * page.test.mjs — end-to-end tests of the built page (dist/) in headless Chromium, with node:test and
 * playwright-core. Run after `./dev build`: `node --test tests/e2e/`. Screenshots go to tests/e2e/artifacts/.
 *
 * Each test drives the page as a user does (fill the paste box, click tabs) and reads what is on screen.
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
const SEED = readFileSync(join(ROOT, 'www/examples/seed_flat.txt'), 'utf8');

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=2</script>';
const XSS_TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/shop/views.py", line 12, in search',
  `    raise ValueError("${XSS_IMG.replaceAll('"', '\\"')}")`,
  `ValueError: ${XSS_IMG} ${XSS_SCRIPT}`,
  '',
].join('\n');
const PROSE = 'hello world, this is not a traceback';

let server;
let browser;
let page;
const requests = [];
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/index.html is missing: run ./dev build first');
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(DIST);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(5000);
  page.on('request', (req) => requests.push(req.url()));
  page.on('pageerror', (err) => pageErrors.push(err));
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Types `text` into the paste box the way a paste does (one input event) and waits for the new rendering. */
async function paste(text) {
  await page.evaluate(() => document.getElementById('results').replaceChildren());
  await page.fill('#paste', text);
  await page.waitForSelector('#results > *', { timeout: 5000 });
}

const resultsText = () => page.textContent('#results');

test('on load, the seed paste is in the box and explained', async () => {
  await page.waitForSelector('#results > *', { timeout: 10000 });
  assert.equal((await page.inputValue('#paste')).trim(), SEED.trim(), 'the seed paste is in the box');
  assert.match(await resultsText(), /OperationalError/, 'the seed is explained on load');
});

test('the flattened seed: OperationalError, 5 frames, pg-conn-refused, a fix for localhost:5432', async () => {
  await paste(SEED);
  await page.screenshot({ path: join(ARTIFACTS, 'seed.png'), fullPage: true });

  assert.match(await resultsText(), /OperationalError/, 'the summary names OperationalError');
  assert.equal(await page.locator('#results .chain .frame').count(), 5, 'five frames are listed');

  const top = page.locator('#results .cause').first();
  assert.equal(await top.count(), 1, 'at least one cause is ranked');
  assert.equal(await top.getAttribute('data-family'), 'pg-conn-refused', 'the top cause is of family pg-conn-refused');
  assert.match(await top.textContent(), /connection refused/i, 'the top cause mentions the refused connection');

  let remedy = '';
  for (const name of ['Fix', 'Tests', 'CI']) {
    await page.getByRole('tab', { name }).click();
    const panel = page.locator('[role="tabpanel"]:not([hidden])');
    assert.equal(await panel.count(), 1, `the ${name} tab shows one panel`);
    const text = await panel.innerText();
    assert.ok(text.trim().length > 0, `the ${name} tab is not empty`);
    remedy += `\n${text}`;
  }
  assert.match(remedy, /localhost/, 'the Fix/Tests/CI tabs mention localhost');
  assert.match(remedy, /5432/, 'the Fix/Tests/CI tabs mention port 5432');
  await page.getByRole('tab', { name: 'Fix' }).click();
});

test('pasted markup is shown as text, never run or parsed', async () => {
  await paste(XSS_TRACEBACK);
  await page.waitForTimeout(300); // let an onerror handler fire, were an <img> created
  await page.screenshot({ path: join(ARTIFACTS, 'xss.png'), fullPage: true });

  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'no pasted script ran');
  assert.equal(await page.locator('#results img').count(), 0, 'no <img> element was created in the results');
  assert.equal(await page.locator('#results script').count(), 0, 'no <script> element was created in the results');
  const text = await resultsText();
  assert.ok(text.includes(XSS_IMG), 'the <img> markup is shown literally');
  assert.ok(text.includes(XSS_SCRIPT), 'the <script> markup is shown literally');
});

test('the remedy tabs work from the keyboard', async () => {
  await paste(SEED);
  await page.getByRole('tab', { name: 'Fix' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-tests', 'aria-selected'), 'true', 'ArrowRight selects Tests');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-tests', 'and moves the focus to it');
  await page.keyboard.press('End');
  assert.equal(await page.getAttribute('#tab-ci', 'aria-selected'), 'true', 'End selects CI');
  assert.ok(await page.isVisible('#panel-ci'), 'the CI panel is shown');
  await page.keyboard.press('Home');
  assert.ok(await page.isVisible('#panel-fix'), 'Home goes back to Fix');
});

test('several tracebacks: a picker switches between them', async () => {
  const two = ['django_sqlite_no_such_table.txt', 'django_template_does_not_exist.txt']
    .map((f) => readFileSync(join(ROOT, 'www/examples', f), 'utf8'))
    .join('\nINFO django.server "GET / HTTP/1.1" 500 0\n');
  await paste(two);
  const label = await page.textContent('label[for="traceback-pick"]');
  assert.match(label ?? '', /^2 tracebacks found$/, 'the picker says how many were found');
  const options = await page.$$eval('#traceback-pick option', (opts) => opts.map((o) => o.value));
  const before = await page.textContent('#results .summary');
  const current = await page.inputValue('#traceback-pick');
  await page.selectOption('#traceback-pick', options.find((v) => v !== current));
  assert.notEqual(await page.textContent('#results .summary'), before, 'choosing another traceback shows it');
});

test('a copy button puts its code block on the clipboard', async () => {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const tab = await context.newPage();
  tab.on('request', (req) => requests.push(req.url()));
  tab.on('pageerror', (err) => pageErrors.push(err));
  await tab.goto(server.url);
  const button = tab.locator('#panel-fix button.copy').first();
  await button.waitFor({ timeout: 10000 });
  const code = await tab.locator('#panel-fix pre').first().textContent();
  await button.click();
  await tab.waitForFunction(() => document.querySelector('#panel-fix button.copy')?.textContent !== 'Copy');
  assert.equal(await button.textContent(), 'Copied');
  assert.equal(await tab.evaluate(() => navigator.clipboard.readText()), code, 'the clipboard holds the code');
  await context.close();
});

test('prose gets a clear "no traceback" message', async () => {
  await paste(PROSE);
  await page.screenshot({ path: join(ARTIFACTS, 'not-a-traceback.png'), fullPage: true });
  const message = page.locator('#results #message');
  assert.ok(await message.isVisible(), 'a message is shown');
  assert.match(await message.innerText(), /no .*traceback/i, 'the message says no traceback was found');
  assert.equal(await page.locator('#results .frame').count(), 0, 'no frames are shown');
});

test('the example menu loads each example', async () => {
  const files = await page.$$eval('#example option', (opts) => opts.map((o) => o.value).filter(Boolean));
  assert.ok(files.length >= 6, 'the examples are listed');
  for (const file of files) {
    await page.evaluate(() => document.getElementById('results').replaceChildren());
    await page.selectOption('#example', file);
    await page.waitForSelector('#results > *', { timeout: 5000 });
    const expected = readFileSync(join(ROOT, 'www/examples', file), 'utf8');
    assert.equal(await page.inputValue('#paste'), expected, `${file} is loaded into the box`);
  }
});

test('narrow and dark: no sideways scrolling', async () => {
  const narrow = await browser.newPage({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });
  narrow.on('request', (req) => requests.push(req.url()));
  narrow.on('pageerror', (err) => pageErrors.push(err));
  await narrow.goto(server.url);
  await narrow.waitForSelector('#results > *', { timeout: 10000 });
  await narrow.screenshot({ path: join(ARTIFACTS, 'narrow-dark.png'), fullPage: true });
  const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 360px screen`);
  await narrow.close();
});

test('the page requests nothing but its own files, and raises no script error', async () => {
  const origin = new URL(server.url).origin;
  // data: URLs (the empty favicon) are not network requests.
  const foreign = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
  assert.ok(requests.length > 0, 'requests were recorded');
  assert.deepEqual(foreign, [], 'every request stays on the page origin');
  assert.deepEqual(pageErrors.map(String), [], 'no uncaught script errors');
});
