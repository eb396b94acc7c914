/**
 * embed.js — the one-tag embed for documentation sites: `<script type="module" src=".../embed.js"></script>`
 * turns every traceback block on the page into an explained card, computed in the reader's browser.
 *
 * Owns: finding the blocks (a CSS selector, configurable), reading their text, loading the wasm core lazily
 * from next to this file, the `<traceback-explainer>` custom element (open Shadow DOM with its own
 * stylesheet, so the site's CSS and the card's never mix) and what the card shows: the final exception, the
 * frame to look at first, the top cause with its confidence and evidence, the other causes folded, the fix.
 *
 * Rules it keeps:
 * - Text only: a block is read with `textContent` (a `<br>` counts as a line break, as Docusaurus writes
 *   lines); every string reaches the card as a text node. Nothing is ever parsed as HTML.
 * - Each block is marked with `data-traceback-explainer` ("pending", then "done", "none" when it holds no
 *   Python traceback, "error" when explaining failed). A marked block is never done again, so running this
 *   file twice, importing it twice or calling `upgradeAll()` again adds no card. Authors can opt a block out
 *   by giving it the attribute themselves (`data-traceback-explainer="skip"`).
 * - One bad block fails alone: it gets a short message in its card and the others carry on.
 * - Lazy: the wasm is fetched only when the page has at least one block; blocks added later (client-side
 *   navigation, tabs, a "show log" button) are found by a MutationObserver.
 * - The wasm is found relative to this file (`import.meta.url`), not to the page: copy `embed.js` with its
 *   `pkg/` folder anywhere and it works offline. Nothing is sent anywhere; the only requests are
 *   `pkg/traceback_explainer_wasm.js` and `pkg/traceback_explainer_wasm_bg.wasm` next to this file.
 * - The original block stays in the page, untouched apart from the mark: with JavaScript off it is what
 *   readers see. The card goes right after the block (after its code-block wrapper, when it has one).
 *
 * Configuration, first found wins: `upgradeAll(root, { selector })`; a `data-selector` attribute on the
 * script tag that loaded this file; `<meta name="traceback-explainer-selector" content="...">`;
 * else `DEFAULT_SELECTOR`.
 */

/** `pre.django-traceback`, Markdown's ```pytb fence, and what MkDocs Material, Docusaurus and Sphinx make of it. */
export const DEFAULT_SELECTOR =
  'pre.django-traceback, code.language-pytb, pre.language-pytb, .language-pytb pre, .highlight-pytb pre';

export const ELEMENT_NAME = 'traceback-explainer';

const MARK = 'data-traceback-explainer';
const MAX_CHARS = 2_000_000; // a larger block is a whole log: the full page is the place for it
const YIELD_MS = 30; // hand the main thread back this often while explaining many blocks

// ---------------------------------------------------------------------------------------------------------
// Configuration

/** The selector the page configured: `data-selector` on our own script tag, else the meta tag, else the default. */
function configuredSelector() {
  const ours = [...document.querySelectorAll('script[type="module"][src]')].find((s) => s.src === import.meta.url);
  const fromScript = ours?.dataset.selector?.trim();
  if (fromScript) return fromScript;
  const fromMeta = document.querySelector('meta[name="traceback-explainer-selector"]')?.content?.trim();
  return fromMeta || DEFAULT_SELECTOR;
}

/** `root` (when it matches) and the elements matching `selector` inside it; the default selector's when `selector` is not valid CSS. */
function matching(root, selector) {
  const find = (sel) => [...(root.matches?.(sel) ? [root] : []), ...root.querySelectorAll(sel)];
  try {
    return find(selector);
  } catch (err) {
    console.warn(`traceback-explainer: invalid selector ${JSON.stringify(selector)}; using the default`, err);
    return find(DEFAULT_SELECTOR);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Loading the core, once, only when needed

let core = null;

function loadCore() {
  core ??= import('./pkg/traceback_explainer_wasm.js').then(async (glue) => {
    await glue.default({ module_or_path: new URL('./pkg/traceback_explainer_wasm_bg.wasm', import.meta.url) });
    return glue;
  });
  return core;
}

// ---------------------------------------------------------------------------------------------------------
// Finding and reading blocks

/** The block a match stands for: a `code` inside a `pre` is the `pre`. */
function blockOf(el) {
  return el.closest('pre') ?? el;
}

/** Line-number gutters of Pygments tables (`linenos: table`) are `pre`s too; they are not tracebacks. */
function isGutter(block) {
  return block.closest('.linenos, .linenodiv') !== null;
}

/** The block's text: `textContent`, except that a `<br>` is a line break (Docusaurus ends each line with one). */
export function blockText(block) {
  if (!block.querySelector('br')) return block.textContent ?? '';
  let text = '';
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) text += node.data;
    else if (node.nodeName === 'BR') text += '\n';
  }
  return text;
}

/** Class names of code-block wrappers: Pygments' `highlight`, Sphinx's `highlight-pytb`, `language-pytb`, Docusaurus's `codeBlock…`. */
const WRAPPER_CLASS = /\b(?:highlight|language-|code)/i;

/**
 * Where the card goes: after the block, or after the code-block wrappers around it (Sphinx's
 * `div.highlight-pytb > div.highlight`, Docusaurus's container with its copy button): divs or figures whose
 * class says they are code blocks and that hold no other text, at most three levels up.
 */
function anchorOf(block) {
  let anchor = block;
  const text = block.textContent.trim();
  for (let i = 0; i < 3; i++) {
    const parent = anchor.parentElement;
    if (!parent || !['DIV', 'FIGURE'].includes(parent.nodeName) || !WRAPPER_CLASS.test(parent.className)) break;
    if (parent.textContent.trim() !== text) break;
    anchor = parent;
  }
  return anchor;
}

// ---------------------------------------------------------------------------------------------------------
// Upgrading

/**
 * Upgrades every block in `root` that matches the selector and is not marked yet. Resolves to the number of
 * blocks it took on. Safe to call any number of times.
 */
export async function upgradeAll(root = document, { selector = configuredSelector() } = {}) {
  const blocks = [...new Set(matching(root, selector).map(blockOf))].filter((b) => !b.hasAttribute(MARK) && !isGutter(b));
  if (blocks.length === 0) return 0;
  for (const block of blocks) block.setAttribute(MARK, 'pending'); // claimed now, so a concurrent run skips it

  let glue;
  try {
    glue = await loadCore();
  } catch (err) {
    console.error('traceback-explainer: could not load the WebAssembly core', err);
    core = null; // a later run may try again
    for (const block of blocks) {
      finish(block, 'error', message('The explainer could not load its WebAssembly file (pkg/ next to embed.js).', String(err)));
    }
    return blocks.length;
  }

  const info = { version: safely(() => glue.version()) };
  let since = performance.now();
  for (const block of blocks) {
    if (!block.isConnected) continue;
    upgradeOne(block, glue, info);
    if (performance.now() - since > YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve));
      since = performance.now();
    }
  }
  return blocks.length;
}

function upgradeOne(block, glue, info) {
  try {
    const text = blockText(block);
    if (text.length > MAX_CHARS) {
      finish(block, 'none', message(`This block is too large to explain here (${(text.length / 1e6).toFixed(1)} million characters); paste it into the full explainer.`));
      return;
    }
    const report = JSON.parse(glue.explain(text));
    if (!report.tracebacks?.length) {
      const problem = report.problems?.[0]?.message;
      finish(block, 'none', message('No Python traceback in this block.', problem));
      return;
    }
    finish(block, 'done', renderReport(report, info), report.diagnosis?.[0]?.family);
  } catch (err) {
    console.error('traceback-explainer: explaining a block failed', block, err);
    finish(block, 'error', message('The explainer failed on this block.', String(err)));
  }
}

/** Marks the block and puts its card after it. */
function finish(block, state, content, family) {
  block.setAttribute(MARK, state);
  const card = document.createElement(ELEMENT_NAME);
  card.setAttribute('data-state', state);
  if (family) card.setAttribute('data-family', family);
  const shadow = card.shadowRoot ?? card.attachShadow({ mode: 'open' }); // the element's constructor attached it
  content.setAttribute('data-state', state);
  if (family) content.setAttribute('data-family', family);
  shadow.append(content);
  anchorOf(block).after(card);
}

function safely(fn) {
  try {
    return fn();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// The card

/** Builds an element; attributes are values only, children are nodes or text (always a text node). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false || child === '') continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Report prose marks code with backticks: those pieces go in `<code>`, still as text. */
function prose(text) {
  const parts = String(text ?? '').split('`');
  if (parts.length < 3) return String(text ?? '');
  return parts.map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}

const percent = (confidence) => Math.round(Math.max(0, Math.min(1, Number(confidence) || 0)) * 100);

function bar(pct) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${pct}%`; // CSSOM, not a style attribute: allowed by strict Content-Security-Policies
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, fill);
}

function brand(info) {
  return h(
    'p',
    { class: 'foot' },
    `Explained in your browser by Traceback Explainer${info?.version ? ` v${info.version}` : ''} — nothing was sent anywhere.`,
  );
}

function message(text, detail) {
  return h(
    'article',
    { class: 'card message', 'aria-label': 'Traceback Explainer' },
    h('p', { class: 'lead' }, h('span', { class: 'tag' }, 'Traceback Explainer'), ' ', text),
    detail && h('p', { class: 'detail' }, detail),
  );
}

function renderReport(report, info) {
  const tracebacks = report.tracebacks;
  const primary = Math.min(Math.max(0, report.primary ?? 0), tracebacks.length - 1);
  const tb = tracebacks[primary];
  const last = tb.exceptions?.at(-1) ?? { type: '', message: '' };
  const diagnosis = report.diagnosis ?? [];
  const [top, ...others] = diagnosis;
  const frames = (tb.exceptions ?? []).reduce((n, e) => n + (e.frames?.length ?? 0), 0);
  const chain = tb.exceptions?.length ?? 0;

  return h(
    'article',
    { class: 'card', 'aria-label': `Explanation of the traceback above: ${last.type || 'exception'}` },
    h(
      'header',
      { class: 'head' },
      h('span', { class: 'tag' }, 'Explained'),
      h('code', { class: 'type' }, last.type || 'Exception (type not shown)'),
      last.message && h('p', { class: 'msg' }, last.message),
      h(
        'p',
        { class: 'meta' },
        [
          `${frames} ${frames === 1 ? 'frame' : 'frames'}`,
          chain > 1 && `${chain} exceptions chained`,
          tracebacks.length > 1 && `traceback ${primary + 1} of ${tracebacks.length} in this block (lines ${tb.start_line}–${tb.end_line})`,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    renderFocus(tb),
    top && renderTop(top),
    top?.fix && renderFix(top.fix),
    others.length > 0 && renderOthers(others, top),
    brand(info),
  );
}

function renderFocus(tb) {
  const focus = tb.focus;
  const frame = focus && tb.exceptions?.[focus.exception]?.frames?.[focus.frame];
  if (!frame) return null;
  const where = frame.line != null ? `${frame.file}:${frame.line}` : frame.file;
  return h(
    'div',
    { class: 'block focus' },
    h('p', { class: 'label' }, 'Look here first'),
    h('p', { class: 'where' }, h('code', { class: 'loc' }, where), ' in ', h('code', {}, frame.function)),
    frame.code && h('pre', { class: 'src' }, frame.code),
    focus.reason && h('p', { class: 'why' }, prose(focus.reason)),
  );
}

function renderTop(d) {
  const pct = percent(d.confidence);
  const evidence = d.evidence ?? [];
  const more = d.explanation || d.checks?.length;
  return h(
    'div',
    { class: 'block cause', 'data-family': d.family, 'data-cause': d.cause },
    h('p', { class: 'label' }, 'Likely cause'),
    h('p', { class: 'cause-line' }, h('strong', { class: 'cause-title' }, d.cause_title), ' ', bar(pct), h('span', { class: 'pct' }, `${pct}% confidence`)),
    h('p', { class: 'family' }, d.title, ' ', h('code', { class: 'family-id' }, d.family)),
    evidence.length > 0 &&
      h(
        'ul',
        { class: 'evidence', 'aria-label': 'Evidence in the traceback' },
        evidence.map((e) => {
          const against = e.weight === 'against';
          return h(
            'li',
            { class: against ? 'against' : 'for' },
            h('span', { class: 'sign', 'aria-label': against ? 'Against:' : 'For:' }, against ? '−' : '+'),
            ' ',
            prose(e.says),
            e.quote && [' ', h('code', { class: 'quote' }, e.quote)],
          );
        }),
      ),
    more &&
      h(
        'details',
        { class: 'why-more' },
        h('summary', {}, 'Why, and what to check'),
        d.explanation && h('p', {}, prose(d.explanation)),
        d.checks?.length > 0 && h('ul', { class: 'checks' }, d.checks.map((c) => h('li', {}, prose(c)))),
      ),
  );
}

function renderFix(fix) {
  const side = (label, code) =>
    h('figure', { class: 'code' }, h('figcaption', {}, `${fix.file} — ${label}`), h('pre', { tabindex: 0 }, h('code', { 'data-language': fix.language }, code)));
  return h(
    'div',
    { class: 'block fix' },
    h('p', { class: 'label' }, 'Fix'),
    fix.summary && h('p', {}, prose(fix.summary)),
    (fix.before || fix.after) && h('div', { class: 'before-after' }, fix.before && side('before', fix.before), fix.after && side('after', fix.after)),
  );
}

/** The other causes, folded: each with its confidence and the first evidence the top cause does not share. */
function renderOthers(others, top) {
  const shared = new Set((top.evidence ?? []).map((e) => e.says));
  return h(
    'details',
    { class: 'others' },
    h('summary', {}, `${others.length} other possible ${others.length === 1 ? 'cause' : 'causes'}`),
    h(
      'ol',
      {},
      others.map((d) => {
        const own = (d.evidence ?? []).find((e) => !shared.has(e.says));
        return h(
          'li',
          { 'data-family': d.family, 'data-cause': d.cause },
          h('span', { class: 'cause-title' }, d.cause_title),
          ' ',
          h('span', { class: 'pct' }, `${percent(d.confidence)}%`),
          own && h('span', { class: 'hint' }, own.weight === 'against' ? '− ' : '+ ', prose(own.says)),
        );
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// The element and its stylesheet

const CSS = `
:host { display: block; margin: 0.5em 0 1.5em; }
:host([hidden]) { display: none; }
.card {
  all: initial; display: block; box-sizing: border-box; max-width: 100%;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --fg: #1c2128; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --accent: #0b63c5; --focus: #fff8c5; --focus-line: #d4a72c; --for: #1a7f37; --against: #cf222e;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-left: 4px solid var(--accent);
  border-radius: 6px; padding: 12px 14px; text-align: left; overflow-wrap: anywhere;
}
@media (prefers-color-scheme: dark) {
  .card {
    --fg: #e6edf3; --muted: #9da7b3; --bg: #161b22; --panel: #0d1117; --line: #30363d;
    --accent: #4493f8; --focus: #2d2a17; --focus-line: #9e7a16; --for: #3fb950; --against: #f85149;
  }
}
.card * { box-sizing: border-box; }
p { margin: 0 0 6px; }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; color: inherit; }
pre { margin: 4px 0 6px; padding: 6px 8px; background: var(--panel); border: 1px solid var(--line); border-radius: 4px;
  overflow: auto; max-height: 16em; white-space: pre; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase;
  color: var(--bg); background: var(--accent); border-radius: 3px; padding: 1px 6px; margin-right: 8px; vertical-align: 1px; }
.head { display: block; margin-bottom: 8px; }
.type { font-size: 14px; font-weight: 700; }
.msg { margin: 4px 0 2px; white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; max-height: 7.5em; overflow: auto; }
.meta, .family, .foot, .detail, .hint { color: var(--muted); font-size: 12.5px; }
.block { display: block; margin: 10px 0 0; padding-top: 8px; border-top: 1px solid var(--line); }
.label { font-size: 11px; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; color: var(--muted); margin: 0 0 4px; }
.focus { background: var(--focus); border: 1px solid var(--focus-line); border-radius: 4px; padding: 8px 10px; }
.focus .src { background: transparent; border-style: dashed; }
.loc { font-weight: 600; }
.cause-line { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.cause-title { font-weight: 600; }
.bar { display: inline-block; width: 80px; height: 6px; border-radius: 3px; background: var(--line); overflow: hidden; vertical-align: middle; }
.fill { display: block; height: 100%; background: var(--accent); }
.pct { font-size: 12.5px; color: var(--muted); font-variant-numeric: tabular-nums; margin-left: 6px; }
ul, ol { margin: 4px 0 6px; padding-left: 20px; }
li { margin: 2px 0; }
.evidence { list-style: none; padding-left: 0; }
.evidence .sign { display: inline-block; width: 1.2em; font-weight: 700; text-align: center; }
.evidence .for .sign { color: var(--for); }
.evidence .against .sign { color: var(--against); }
.quote { background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; }
details { margin: 6px 0 0; }
summary { cursor: pointer; color: var(--accent); font-weight: 500; }
summary:focus-visible, pre:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.others { border-top: 1px solid var(--line); padding-top: 8px; margin-top: 10px; }
.others li .hint { display: block; }
.before-after { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 8px; }
figure { margin: 0; min-width: 0; }
figcaption { font-size: 12px; color: var(--muted); }
.foot { margin: 10px 0 0; }
.message { border-left-color: var(--muted); padding: 8px 12px; }
.message .tag { background: var(--muted); }
.message .lead { margin: 0; }
.message .detail { margin: 4px 0 0; }
`;

let sheet = null;

/** Constructable stylesheets are not subject to a page's style-src policy; a <style> element is the fallback. */
function adoptStyles(shadow) {
  if ('adoptedStyleSheets' in Document.prototype && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    shadow.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = CSS;
    shadow.append(style);
  }
}

class TracebackExplainerElement extends HTMLElement {
  constructor() {
    super();
    adoptStyles(this.attachShadow({ mode: 'open' }));
  }
}

// A second copy of this file (another URL) finds the element defined already and uses it as is.
if (!customElements.get(ELEMENT_NAME)) customElements.define(ELEMENT_NAME, TracebackExplainerElement);

// ---------------------------------------------------------------------------------------------------------
// Start: upgrade what is there, then watch for blocks added later

function start() {
  let selector = configuredSelector();
  try {
    document.querySelector(selector);
  } catch {
    console.warn(`traceback-explainer: invalid selector ${JSON.stringify(selector)}; using the default`);
    selector = DEFAULT_SELECTOR;
  }
  let queued = false;
  const run = () => {
    queued = false;
    upgradeAll(document, { selector }).catch((err) => console.error('traceback-explainer:', err));
  };
  const observer = new MutationObserver((mutations) => {
    if (queued) return;
    for (const m of mutations) {
      for (const node of m.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE || node.localName === ELEMENT_NAME) continue;
        if (node.matches(selector) || node.querySelector(selector) || node.closest(selector)) {
          queued = true;
          queueMicrotask(run);
          return;
        }
      }
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  run();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
