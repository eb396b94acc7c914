/**
 * embed.test.mjs — the one-tag embed (www/embed.js) in headless Chromium: the example documentation page
 * (dist/docs-example.html, under its strict Content-Security-Policy) and a self-hosted copy of embed.js +
 * pkg/ served from another folder with every request off the page's origin blocked.
 *
 * Checks what the embed promises: one card per block with the right family, read as text only, the site's
 * CSS kept out of the card, blocks added later picked up, bad blocks failing alone, a second run adding
 * nothing, the original blocks kept, the wasm found next to embed.js, the selector configurable, and no
 * request off the origin. Saves tests/e2e/artifacts/embed.png and embed-dark.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startServer } from '../../scripts/browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const fixture = (path) => readFileSync(join(ROOT, 'fixtures', path), 'utf8');

/** The blocks of docs-example.html in page order: the fixture each holds and what its card must say. */
const PAGE_BLOCKS = [
  { fixture: 'real/pg_refused_psycopg2_localhost.txt', state: 'done', family: 'pg-conn-refused' },
  { fixture: 'real/pg_auth_failed.txt', state: 'done', family: 'pg-auth-failed' },
  { fixture: 'real/pg_db_missing.txt', state: 'done', family: 'pg-db-missing' },
  { fixture: 'real/node_stack.txt', state: 'none', family: null },
];
const LATER_BLOCK = { fixture: 'derived/compose_v2_gunicorn.txt', state: 'done', family: 'pg-conn-refused', cause: 'localhost-in-container' };

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/shop/views.py", line 12, in search',
  '    raise ValueError(query)',
  `ValueError: ${XSS_IMG} <script>window.__xss=2</script>`,
  '',
].join('\n');

let server;
let browser;
let page;
const requests = [];
const pageErrors = [];

/** Every card on the page, in document order, with what tests look at (read through the open shadow roots). */
function cards(target = page) {
  return target.evaluate(() =>
    [...document.querySelectorAll('traceback-explainer')].map((el) => ({
      state: el.getAttribute('data-state'),
      family: el.getAttribute('data-family'),
      text: el.shadowRoot?.textContent ?? '',
      cause: el.shadowRoot?.querySelector('.cause')?.getAttribute('data-cause') ?? null,
    })),
  );
}

const cardCount = (target = page) => target.evaluate(() => document.querySelectorAll('traceback-explainer').length);

/** Waits until no block is pending any more and at least `n` cards exist. */
function settled(n, target = page) {
  return target.waitForFunction(
    (want) => document.querySelectorAll('traceback-explainer').length >= want && !document.querySelector('[data-traceback-explainer="pending"]'),
    n,
    { timeout: 15000 },
  );
}

/** Appends a `pre.django-traceback` holding `text` (as text) to the article, as a page script would. */
function addBlock(text, target = page) {
  return target.evaluate((t) => {
    const pre = document.createElement('pre');
    pre.className = 'django-traceback';
    pre.textContent = t;
    document.querySelector('article').append(pre);
  }, text);
}

before(async () => {
  assert.ok(existsSync(join(DIST, 'docs-example.html')), 'dist/docs-example.html is missing: run ./dev build first');
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(DIST);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(10000);
  page.on('request', (req) => requests.push(req.url()));
  page.on('pageerror', (err) => pageErrors.push(err));
  await page.goto(`${server.url}docs-example.html`);
  await settled(PAGE_BLOCKS.length);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('each block of the docs page gets exactly one card, with the right family', async () => {
  const got = await cards();
  assert.equal(got.length, PAGE_BLOCKS.length, 'one card per block');
  PAGE_BLOCKS.forEach((want, i) => {
    assert.equal(got[i].state, want.state, `block ${i + 1} (${want.fixture}) is ${want.state}`);
    assert.equal(got[i].family, want.family, `block ${i + 1} (${want.fixture}) is of family ${want.family}`);
  });
  const marks = await page.$$eval('[data-traceback-explainer]', (els) => els.map((e) => e.getAttribute('data-traceback-explainer')));
  assert.deepEqual(marks, PAGE_BLOCKS.map((b) => b.state), 'each block is marked with its state');

  // The blocks hold the real fixtures, and the embed reads them back exactly (Sphinx and Markdown markup too).
  const texts = await page.evaluate(async () => {
    const { blockText } = await import('./embed.js');
    return [...document.querySelectorAll('[data-traceback-explainer]')].map(blockText);
  });
  PAGE_BLOCKS.forEach((want, i) => assert.equal(texts[i].trim(), fixture(want.fixture).trim(), `block ${i + 1} reads as ${want.fixture}`));

  // What the first card shows: the final exception, the frame to look at, the top cause with its evidence, the fix.
  const first = page.locator('traceback-explainer').first();
  assert.equal(await first.locator('.type').textContent(), 'django.db.utils.OperationalError');
  assert.match(await first.locator('.msg').textContent(), /Connection refused/);
  assert.match(await first.locator('.focus').textContent(), /Look here first/);
  assert.equal(await first.locator('.cause').getAttribute('data-family'), 'pg-conn-refused', 'the top cause in the shadow root');
  assert.match(await first.locator('.cause .pct').textContent(), /^\d+% confidence$/);
  assert.ok((await first.locator('.evidence li').count()) >= 1, 'the top cause shows its evidence');
  assert.equal(await first.locator('.fix figure').count(), 2, 'the fix shows before and after');
  assert.match(await first.locator('.fix').textContent(), /before[\s\S]*after/);
  const others = first.locator('details.others');
  assert.equal(await others.count(), 1, 'the other causes are listed');
  assert.equal(await others.evaluate((d) => d.open), false, 'and folded');
  assert.match(await first.locator('.foot').textContent(), /nothing was sent anywhere/);
});

test("the site's CSS does not reach inside a card, and the card's own stylesheet applies under the page CSP", async () => {
  const styles = await page.evaluate(() => {
    const css = (el) => getComputedStyle(el);
    const site = document.querySelector('article > h1 + p');
    const sitePre = document.querySelector('pre.django-traceback');
    const root = document.querySelector('traceback-explainer').shadowRoot;
    const card = root.querySelector('.card');
    const p = root.querySelector('.card .why') ?? root.querySelector('.card p');
    const div = root.querySelector('.card .before-after'); // a card div with no border of its own
    const pre = root.querySelector('.card pre');
    const summary = root.querySelector('.card summary');
    return {
      site: { font: css(site).fontFamily, indent: css(site).textIndent, letter: css(site).letterSpacing, preBg: css(sitePre).backgroundColor },
      card: {
        font: css(card).fontFamily,
        letter: css(card).letterSpacing,
        pIndent: css(p).textIndent,
        divBorder: css(div).borderTopStyle,
        preBg: css(pre).backgroundColor,
        preFont: css(pre).fontFamily,
        summaryColor: css(summary).color,
        summarySize: css(summary).fontSize,
        borderLeft: css(card).borderLeftWidth,
      },
    };
  });
  assert.match(styles.site.font, /Georgia/, 'the page text is Georgia');
  assert.notEqual(styles.site.indent, '0px', 'page paragraphs are indented');
  assert.doesNotMatch(styles.card.font, /Georgia/, 'the card does not inherit the page font');
  assert.equal(styles.card.letter, 'normal', 'nor its letter-spacing');
  assert.equal(styles.card.pIndent, '0px', 'card paragraphs are not indented');
  assert.equal(styles.card.divBorder, 'none', "the page's outlined divs stop at the card");
  assert.notEqual(styles.card.preBg, styles.site.preBg, "the page's code background stops at the card");
  assert.doesNotMatch(styles.card.preFont, /Courier New/, "and the page's code font");
  assert.notEqual(styles.card.summaryColor, 'rgb(255, 0, 0)', "and the page's red summaries");
  assert.notEqual(styles.card.summarySize, '30px', "and the page's big summaries");
  assert.equal(styles.card.borderLeft, '4px', "the card's own stylesheet is applied (constructable, allowed by the CSP)");
});

test('the original blocks stay in the page, unchanged, with the card after them', async () => {
  const blocks = await page.$$eval('[data-traceback-explainer]', (els) =>
    els.map((b) => {
      const rect = b.getBoundingClientRect();
      let anchor = b;
      while (anchor.nextElementSibling?.localName !== 'traceback-explainer' && anchor.parentElement) anchor = anchor.parentElement;
      return { visible: rect.height > 0, text: b.textContent.length, cardAfter: anchor.nextElementSibling?.localName === 'traceback-explainer' };
    }),
  );
  blocks.forEach((b, i) => {
    assert.ok(b.visible, `block ${i + 1} is still shown`);
    assert.ok(b.text > 0, `block ${i + 1} keeps its text`);
    assert.ok(b.cardAfter, `block ${i + 1} has its card right after it (or its wrapper)`);
  });
  // Sphinx's wrapper divs hold only the code: the card goes after them, not inside Pygments' div.highlight.
  assert.equal(await page.$eval('.highlight-pytb', (el) => el.nextElementSibling?.localName), 'traceback-explainer');
});

test('a block added later is upgraded (MutationObserver), Docusaurus markup with <br> line ends read right', async () => {
  const before = await cardCount();
  await page.click('#show-log');
  await settled(before + 1);
  const got = await cards();
  assert.equal(got.length, before + 1, 'one more card');
  const card = page.locator('#later-log traceback-explainer');
  assert.equal(await card.getAttribute('data-state'), LATER_BLOCK.state);
  assert.equal(await card.getAttribute('data-family'), LATER_BLOCK.family);
  assert.equal(await card.locator('.cause').getAttribute('data-cause'), LATER_BLOCK.cause, 'the top cause is localhost inside a container');
  const text = await page.evaluate(async () => {
    const { blockText } = await import('./embed.js');
    return blockText(document.querySelector('#later-log pre'));
  });
  assert.equal(text.trim(), fixture(LATER_BLOCK.fixture).trim(), 'one line per <br>, as the fixture');
  assert.equal(await page.$eval('.codeBlockContainer', (el) => el.nextElementSibling?.localName), 'traceback-explainer', 'the card goes after the code-block container');

  await page.screenshot({ path: join(ARTIFACTS, 'embed.png'), fullPage: true });
});

test('markup in a block stays text: no element is created from it and nothing runs', async () => {
  const before = await cardCount();
  await addBlock(XSS_TRACEBACK);
  await settled(before + 1);
  await page.waitForTimeout(200); // an onerror handler would have fired by now
  const card = page.locator('traceback-explainer').last();
  assert.equal(await card.getAttribute('data-state'), 'done');
  assert.equal(await page.locator('traceback-explainer img').count(), 0, 'no <img> in any card');
  assert.equal(await page.locator('traceback-explainer script').count(), 0, 'no <script> in any card');
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'nothing ran');
  assert.ok((await card.locator('.msg').textContent()).includes(XSS_IMG), 'the markup is shown literally');
});

test('bad blocks fail alone: a JavaScript stack, an empty block and prose get a message, the good block next to them a card', async () => {
  const node = page.locator('traceback-explainer[data-state="none"]').first(); // the JavaScript stack's card
  assert.equal(await node.getAttribute('data-state'), 'none');
  assert.match(await node.locator('.card').textContent(), /No Python traceback[\s\S]*JavaScript/);

  const before = await cardCount();
  await page.evaluate((good) => {
    const article = document.querySelector('article');
    for (const text of ['', 'Please restart the server and try again.', good]) {
      const pre = document.createElement('pre');
      pre.className = 'django-traceback added-together';
      pre.textContent = text;
      article.append(pre);
    }
  }, fixture('real/pg_auth_failed.txt'));
  await settled(before + 3);
  const states = await page.$$eval('pre.added-together', (els) => els.map((e) => e.getAttribute('data-traceback-explainer')));
  assert.deepEqual(states, ['none', 'none', 'done']);
  const last = (await cards()).slice(-3);
  assert.deepEqual(last.map((c) => c.state), ['none', 'none', 'done']);
  assert.equal(last[2].family, 'pg-auth-failed', 'the good block is explained');
});

test('running the embed again adds no card: upgradeAll() again, and a second copy of the script', async () => {
  const before = await cardCount();
  const taken = await page.evaluate(async () => (await import('./embed.js')).upgradeAll());
  assert.equal(taken, 0, 'upgradeAll() finds nothing left to do');
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.type = 'module';
        script.src = 'embed.js?second-copy'; // another URL: a second module instance, run from the top
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      }),
  );
  await page.waitForTimeout(300);
  assert.equal(await cardCount(), before, 'no duplicate card');
  assert.equal(await page.locator('[data-traceback-explainer="pending"]').count(), 0);

  // From a script, with a selector of its own, under a root of its own: only that block, once.
  const own = await page.evaluate(async (text) => {
    const { upgradeAll } = await import('./embed.js');
    const box = document.createElement('div');
    box.id = 'own-box';
    const pre = document.createElement('pre');
    pre.className = 'own-tb';
    pre.textContent = text;
    box.append(pre);
    document.querySelector('article').append(box);
    return [await upgradeAll(box, { selector: 'pre.own-tb' }), await upgradeAll(box, { selector: 'pre.own-tb' })];
  }, fixture('real/pg_db_missing.txt'));
  assert.deepEqual(own, [1, 0], 'upgradeAll(root, { selector }) takes the block once');
  assert.equal(await page.locator('#own-box traceback-explainer').getAttribute('data-family'), 'pg-db-missing');
  assert.equal(await cardCount(), before + 1);
});

test('dark: the cards follow prefers-color-scheme', async () => {
  const dark = await browser.newPage({ viewport: { width: 900, height: 1000 }, colorScheme: 'dark' });
  dark.on('request', (req) => requests.push(req.url()));
  dark.on('pageerror', (err) => pageErrors.push(err));
  await dark.goto(`${server.url}docs-example.html#password`);
  await settled(PAGE_BLOCKS.length, dark);
  const bg = await dark.evaluate(() => getComputedStyle(document.querySelector('traceback-explainer').shadowRoot.querySelector('.card')).backgroundColor);
  assert.equal(bg, 'rgb(22, 27, 34)', 'the dark card background');
  await dark.locator('traceback-explainer').nth(1).scrollIntoViewIfNeeded();
  await dark.screenshot({ path: join(ARTIFACTS, 'embed-dark.png') });
  await dark.close();
});

test('a self-hosted copy (embed.js + pkg/ in another folder) works with every other origin blocked; selector configurable; lazy', async () => {
  // A docs site that copied embed.js and pkg/ into _static/tbx/ and serves pages from elsewhere.
  const site = mkdtempSync(join(tmpdir(), 'tbx-site-'));
  try {
    cpSync(join(DIST, 'embed.js'), join(site, '_static/tbx/embed.js'));
    cpSync(join(DIST, 'pkg'), join(site, '_static/tbx/pkg'), { recursive: true });
    cpSync(join(DIST, 'embed.js'), join(site, '_static/no-pkg/embed.js')); // forgot pkg/: every block gets an error card
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'">`;
    const tb = fixture('real/pg_db_missing.txt').replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    const write = (path, body) => {
      mkdirSync(join(site, path, '..'), { recursive: true });
      writeFileSync(join(site, path), `<!doctype html><html lang="en"><head><meta charset="utf-8">${csp}${body}</html>`);
    };
    write(
      'guide/troubleshooting/index.html',
      `<script type="module" src="../../_static/tbx/embed.js" data-selector=".tb-box pre"></script></head><body>
       <div class="tb-box"><pre>${tb}</pre></div>
       <pre class="django-traceback">${tb}</pre></body>`,
    );
    write(
      'guide/empty.html',
      `<meta name="traceback-explainer-selector" content="pre.later"><script type="module" src="../_static/tbx/embed.js"></script></head>
       <body><p>No traceback here.</p></body>`,
    );
    write('broken.html', `<script type="module" src="_static/no-pkg/embed.js"></script></head><body><pre class="django-traceback">${tb}</pre></body>`);

    const own = await startServer(site);
    const origin = new URL(own.url).origin;
    const context = await browser.newContext();
    const blocked = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const tab = await context.newPage();
    const seen = [];
    const errors = [];
    tab.on('request', (req) => seen.push(req.url()));
    tab.on('pageerror', (err) => errors.push(err));
    try {
      // data-selector on the script tag: the .tb-box block is explained, the pre.django-traceback is not.
      await tab.goto(`${own.url}guide/troubleshooting/`);
      await settled(1, tab);
      const got = await cards(tab);
      assert.equal(got.length, 1, 'only the block the configured selector names');
      assert.equal(got[0].family, 'pg-db-missing');
      assert.equal(await tab.$eval('pre.django-traceback', (el) => el.hasAttribute('data-traceback-explainer')), false);
      assert.ok(seen.includes(`${origin}/_static/tbx/pkg/traceback_explainer_wasm_bg.wasm`), 'the wasm is found next to embed.js, not next to the page');

      // Lazy: no block, no core; a block added later (matching the meta tag's selector) loads it.
      seen.length = 0;
      await tab.goto(`${own.url}guide/empty.html`);
      await tab.waitForLoadState('networkidle');
      assert.ok(seen.some((u) => u.endsWith('/embed.js')), 'embed.js loads');
      assert.ok(!seen.some((u) => u.includes('/pkg/')), 'but not the core: the page has no block');
      await tab.evaluate((t) => {
        const pre = document.createElement('pre');
        pre.className = 'later';
        pre.textContent = t;
        document.body.append(pre);
      }, fixture('real/pg_db_missing.txt'));
      await settled(1, tab);
      assert.equal((await cards(tab))[0].family, 'pg-db-missing', 'the block added later is explained');
      assert.ok(seen.some((u) => u.endsWith('/pkg/traceback_explainer_wasm_bg.wasm')), 'the core is loaded once a block appears');

      // A copy without its pkg/ folder: the block gets an error card saying so, the page stays intact.
      await tab.goto(`${own.url}broken.html`);
      await settled(1, tab);
      const broken = await cards(tab);
      assert.equal(broken[0].state, 'error');
      assert.match(broken[0].text, /could not load its WebAssembly/);
      assert.equal(await tab.$eval('pre', (el) => el.getAttribute('data-traceback-explainer')), 'error');

      assert.deepEqual(blocked, [], 'nothing was requested off the origin');
      assert.deepEqual(seen.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin), []);
      assert.deepEqual(errors.map(String), [], 'no uncaught script errors');
    } finally {
      await context.close();
      await own.stop();
    }
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
});

test('the docs page requests nothing off its origin, and raises no script error', async () => {
  const origin = new URL(server.url).origin;
  const foreign = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
  assert.ok(requests.some((u) => u.endsWith('/pkg/traceback_explainer_wasm_bg.wasm')), 'the wasm was loaded');
  assert.deepEqual(foreign, [], 'every request stays on the page origin');
  assert.deepEqual(pageErrors.map(String), [], 'no uncaught script errors');
});
