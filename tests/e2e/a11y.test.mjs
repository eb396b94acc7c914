/**
 * a11y.test.mjs — accessibility of the built pages in headless Chromium: axe-core (npm) finds no serious or
 * critical violation on the explainer (seed explained, a log scanned, a share link made), the families index
 * and the embed example, in light and in dark (prefers-color-scheme); the explainer is usable by keyboard
 * alone. Saves tests/e2e/artifacts/a11y-light.png and a11y-dark.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launchChromium, startServer } from '../../scripts/browser.mjs';
import { makeLog } from '../../scripts/make_log.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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

/** Runs axe-core on the page (injected through the protocol, so the page's CSP stays as it is). */
async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

function report(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
}

for (const scheme of ['light', 'dark']) {
  test(`no serious or critical axe violation, ${scheme}`, async () => {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#results .cause');
    let v = await axe(page);
    assert.deepEqual(v, [], `explainer with the seed explained:\n${report(v)}`);
    await page.screenshot({ path: join(ARTIFACTS, `a11y-${scheme}.png`) });

    await page.click('#share-make');
    await page.waitForFunction(() => document.getElementById('share-url').value !== '');
    const logFile = join(ARTIFACTS, 'a11y-2mb.log');
    makeLog(logFile, 2);
    await page.setInputFiles('#log-file', logFile);
    await page.waitForFunction(() => document.getElementById('log-status').textContent.includes(' read in '));
    v = await axe(page);
    assert.deepEqual(v, [], `explainer with a log scanned and a share link:\n${report(v)}`);

    for (const path of ['families.html', 'docs-example.html']) {
      if (!existsSync(join(DIST, path))) continue;
      await page.goto(server.url + path);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      v = await axe(page);
      assert.deepEqual(v, [], `${path}:\n${report(v)}`);
    }
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, '', 'the page has a background');
    await context.close();
  });
}

test('light and dark follow prefers-color-scheme', async () => {
  const colors = {};
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(server.url);
    colors[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await context.close();
  }
  assert.notEqual(colors.light, colors.dark);
});

test('the explainer is usable by keyboard alone', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('#results .cause');
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id ?? '', tag: el?.tagName ?? '', role: el?.getAttribute('role') ?? '', outline: el ? getComputedStyle(el).outlineStyle : '' };
  });
  // Tab order from the top: the example picker, the paste box, then the actions.
  const order = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    order.push((await focused()).id);
  }
  for (const id of ['example', 'paste', 'explain', 'share-make', 'log-file']) assert.ok(order.includes(id), `Tab reaches #${id}: ${order.join(', ')}`);
  // A visible focus ring on the focused control.
  await page.focus('#explain');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.notEqual((await focused()).outline, 'none', 'the focused control shows a focus ring');

  // Choose another example with the keyboard alone, explain it with Enter.
  await page.focus('#example');
  const before = await page.inputValue('#paste');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((b) => document.getElementById('paste').value !== b && document.getElementById('paste').value !== '', before);
  await page.focus('#explain');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#results .cause');

  // The remedy tabs: Tab into the tab list, arrows move between Fix, Tests and CI.
  await page.focus('#tab-fix');
  await page.keyboard.press('ArrowRight');
  assert.equal((await focused()).id, 'tab-tests');
  assert.equal(await page.isVisible('#panel-tests'), true);
  await page.keyboard.press('End');
  assert.equal((await focused()).id, 'tab-ci');

  // A folded run of library frames opens with Enter on its summary.
  const summary = page.locator('#results .folded summary').first();
  if ((await summary.count()) > 0) {
    await summary.focus();
    await page.keyboard.press('Enter');
    assert.equal(await summary.evaluate((s) => s.parentElement.open), true);
  }
  // Share link by keyboard.
  await page.focus('#share-make');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'share-url' && document.activeElement.value.includes('#v1.'));
  await page.close();
});
