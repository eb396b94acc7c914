/**
 * app.js — the page: loads the wasm core, explains the paste as you type, and renders the report.
 *
 * The report is `Report` of crates/core/src/model.rs, serialised to JSON by the wasm export `explain`.
 * Invariant: every piece of pasted or report text reaches the DOM as a text node or an attribute value
 * through `h()` — nothing is ever parsed as HTML, and no attribute name, tag or URL scheme comes from data.
 * The page makes no request except for its own files.
 */
import init, { explain, mask_secrets, summarize_log, version } from './pkg/traceback_explainer_wasm.js';
import { fileSource, scanLog, textSource } from './log-scan.js';

const DEBOUNCE_MS = 150;
/** Pastes and files longer than this are scanned as logs (grouped, in the worker) instead of explained whole. */
const LOG_CHARS = 1_000_000;

const FORMATS = {
  python: 'Python traceback',
  flattened: 'Flattened onto one line',
  'django-debug': 'Django debug page',
  'django-debug-legacy': 'Django debug page (1.11–2.2)',
  'django-debug-browser': 'Django debug page, whole page copied',
  pytest: 'pytest report',
  'syntax-error': 'SyntaxError',
  'exception-only': 'Exception line only',
  'django-log': 'Django log record or error page',
};
const ENGINES = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite', oracle: 'Oracle' };
const ORIGINS = new Set(['app', 'django', 'library', 'stdlib', 'other']);
const LINKS = {
  cause: 'The above exception was the direct cause of the following exception:',
  context: 'During handling of the above exception, another exception occurred:',
};

const $ = (id) => document.getElementById(id);
const paste = $('paste');
const results = $('results');
const status = $('status');
const picker = $('example');

/**
 * What is on screen: the last report, the text it explains (the paste, or a log group's sample), which of its
 * tracebacks is shown, and which remedy tab is open.
 */
const state = { report: null, text: '', selected: 0, tab: 'fix' };

// ---------------------------------------------------------------------------------------------------------
// DOM helpers

/**
 * Builds an element. `attrs` holds attribute values (strings, numbers, `true` for a bare attribute; `null` and
 * `false` are skipped) and `on<event>` listeners. Children are nodes or text (arrays are flattened); text
 * always becomes a text node.
 */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const hidden = (text) => h('span', { class: 'visually-hidden' }, text);

/**
 * Report prose marks code with backticks (`pg_isready -h db`): split it into text nodes and <code> elements.
 * Still text only — the backticks only choose which element a piece of text goes in.
 */
function prose(text) {
  const parts = String(text ?? '').split('`');
  if (parts.length < 3) return text;
  return parts.map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}

function formatBytes(n) {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(2)} MB`;
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------------------
// Explaining

let timer = 0;

function explainSoon() {
  clearTimeout(timer);
  timer = setTimeout(explainNow, DEBOUNCE_MS);
}

function explainNow() {
  clearTimeout(timer);
  const text = paste.value;
  if (text.length > LOG_CHARS) {
    startScan({ text }, `pasted text, ${formatBytes(text.length)}`);
    return;
  }
  showReport(text);
}

/** Explains `text` and shows the report; `what` prefixes the status line (a log group says which). */
function showReport(text, what = '') {
  const started = performance.now();
  let report;
  try {
    report = JSON.parse(explain(text));
  } catch (err) {
    showFailure('The explainer failed on this text. Reload the page to start again.', err);
    return;
  }
  const ms = performance.now() - started;
  state.report = report;
  state.text = text;
  state.selected = report.primary ?? 0;
  render();
  const n = report.tracebacks?.length ?? 0;
  status.textContent = `${what}${plural(n, 'traceback')} · ${formatBytes(report.input?.bytes ?? text.length)} explained in ${ms.toFixed(1)} ms`;
}

function showFailure(message, err) {
  console.error(err);
  status.textContent = message;
  results.replaceChildren(h('section', { class: 'message' }, h('h2', {}, 'Something went wrong'), h('p', {}, message), err && h('pre', {}, String(err))));
}

// ---------------------------------------------------------------------------------------------------------
// Rendering the report

function render() {
  const report = state.report;
  const tracebacks = report.tracebacks ?? [];
  const secrets = renderSecrets(report.secrets ?? []);
  if (tracebacks.length === 0) {
    results.replaceChildren(...[secrets, renderNoTraceback(report)].filter(Boolean));
    return;
  }
  const tb = tracebacks[state.selected] ?? tracebacks[0];
  const diagnosis = state.selected === report.primary ? report.diagnosis ?? [] : remediesFor(tb);
  results.replaceChildren(
    ...[
      secrets,
      tracebacks.length > 1 && renderTracebackPicker(tracebacks, report.primary),
      renderSummary(tb, report.facts ?? {}),
      renderProblems(report.problems ?? []),
      tb.focus && renderFocus(tb),
      diagnosis.length > 0 && renderCauses(diagnosis),
      diagnosis.length > 0 && hasRemedy(diagnosis[0]) && renderRemedy(diagnosis[0]),
      renderChain(tb),
    ].filter(Boolean),
  );
}

/** Secrets found in the paste: shown whether or not a link is made; a share link always masks them. */
function renderSecrets(secrets) {
  if (secrets.length === 0) return null;
  const fromPaste = state.text === paste.value;
  return h(
    'section',
    { class: 'secrets', 'aria-labelledby': 'secrets-h' },
    h('h2', { id: 'secrets-h' }, `This paste contains ${plural(secrets.length, 'secret')}`),
    h('ul', {}, secrets.map((x) => h('li', { 'data-kind': x.kind }, x.name, x.line != null && ` (line ${x.line})`))),
    h('p', {}, 'They stay on this page: nothing is sent anywhere. A share link masks them; mask them before you paste this anywhere else.'),
    fromPaste &&
      h('button', {
        type: 'button',
        id: 'mask-secrets',
        onclick: () => {
          paste.value = JSON.parse(mask_secrets(paste.value)).text;
          explainNow();
          paste.focus();
        },
      }, 'Mask them in the box'),
  );
}

function renderNoTraceback(report) {
  const empty = !(report.input?.bytes > 0);
  const problems = report.problems ?? [];
  return h(
    'section',
    { class: 'message', id: 'message' },
    h('h2', {}, empty ? 'Paste a traceback to explain it' : 'No Python traceback found in this text'),
    problems.length > 0 && h('ul', { class: 'problems' }, problems.map(renderProblem)),
    !empty &&
      problems.length === 0 &&
      h(
        'p',
        {},
        'Paste the whole traceback, from “Traceback (most recent call last):” down to the last line, which names the exception — ',
        'or the “copy-and-paste view” of Django’s yellow error page.',
      ),
  );
}

function renderProblem(p) {
  return h('li', { 'data-code': p.code }, p.message, p.line != null && ` (line ${p.line})`);
}

function renderProblems(problems) {
  if (problems.length === 0) return null;
  return h('section', { class: 'notes', 'aria-label': 'Notes on the paste' }, h('ul', { class: 'problems' }, problems.map(renderProblem)));
}

/**
 * The core sends fixes, tests and CI only for the primary traceback (a log can hold hundreds). For another one,
 * explain just its lines of the paste again: the same core, so the same answer, with the remedies filled in.
 */
function remediesFor(tb) {
  if (tb.diagnosis?.[0]?.fix || tb.diagnosis?.[0]?.ci || !tb.start_line) return tb.diagnosis ?? [];
  const lines = state.text.split('\n').slice(tb.start_line - 1, tb.end_line).join('\n');
  try {
    const again = JSON.parse(explain(lines));
    return again.diagnosis?.length ? again.diagnosis : tb.diagnosis ?? [];
  } catch {
    return tb.diagnosis ?? [];
  }
}

function renderTracebackPicker(tracebacks, primary) {
  const label = (tb, i) => {
    const last = tb.exceptions?.at(-1);
    const what = last ? `${last.type || 'Exception'}: ${last.message ?? ''}` : 'traceback';
    const short = what.length > 90 ? `${what.slice(0, 89)}…` : what;
    return `#${i + 1} · lines ${tb.start_line}–${tb.end_line} · ${short}${i === primary ? ' (explained)' : ''}`;
  };
  const select = h(
    'select',
    {
      id: 'traceback-pick',
      onchange: () => {
        state.selected = Number(select.value);
        render();
        $('traceback-pick')?.focus();
      },
    },
    tracebacks.map((tb, i) => h('option', { value: i, selected: i === state.selected }, label(tb, i))),
  );
  return h('div', { class: 'traceback-picker' }, h('label', { for: 'traceback-pick' }, `${tracebacks.length} tracebacks found`), select);
}

function renderSummary(tb, facts) {
  const last = tb.exceptions?.at(-1) ?? { type: '', message: '' };
  return h(
    'header',
    { class: 'summary' },
    h('h2', { class: 'summary-type' }, last.type || 'Exception (type not shown)'),
    last.message && h('p', { class: 'summary-message' }, last.message),
    h('ul', { class: 'chips', 'aria-label': 'What the paste shows' }, chip('format', FORMATS[tb.format] ?? tb.format), factChips(facts)),
  );
}

function chip(key, value, title) {
  return h('li', { class: 'chip', title }, h('span', { class: 'chip-key' }, key), ' ', h('span', { class: 'chip-value' }, value));
}

function factChips(f) {
  return [
    f.db_engine && chip('database', ENGINES[f.db_engine] ?? f.db_engine),
    f.db_driver && chip('driver', f.db_driver),
    f.db_host && chip('host', f.db_host),
    f.db_port != null && chip('port', f.db_port),
    f.db_socket && chip('socket', f.db_socket),
    f.db_name && chip('db name', f.db_name),
    f.python_version && chip('Python', f.python_version),
    f.django_version && chip('Django', f.django_version),
    f.docker?.length > 0 && chip('Docker', f.docker[0], f.docker.join('\n')),
    f.runner && chip('runner', f.runner),
    f.management_command && chip('manage.py', f.management_command),
    f.request_method && chip('request', `${f.request_method} ${f.request_url ?? ''}`.trim()),
    f.env_settings?.length > 0 && chip('from env', f.env_settings.join(', ')),
    f.wrappers?.length > 0 && chip('stripped', f.wrappers.join(', ')),
  ];
}

function frameId(ei, fi) {
  return `frame-${state.selected}-${ei}-${fi}`;
}

function renderFocus(tb) {
  const { exception, frame, reason } = tb.focus;
  const f = tb.exceptions?.[exception]?.frames?.[frame];
  if (!f) return null;
  return h(
    'section',
    { class: 'focus-callout', 'aria-labelledby': 'focus-h' },
    h('h2', { id: 'focus-h' }, 'Look here first'),
    h('p', {}, h('a', { href: `#${frameId(exception, frame)}` }, h('code', {}, location(f))), ' in ', h('code', {}, f.function)),
    h('p', { class: 'focus-reason' }, prose(reason)),
  );
}

function location(f) {
  return f.line != null ? `${f.file}:${f.line}` : f.file;
}

function renderCauses(diagnosis) {
  return h(
    'section',
    { class: 'causes', 'aria-labelledby': 'causes-h' },
    h('h2', { id: 'causes-h' }, diagnosis.length > 1 ? 'Likely causes, best first' : 'Likely cause'),
    h('ol', { class: 'cause-list' }, diagnosis.map(renderCause)),
  );
}

function renderCause(d, rank) {
  const pct = Math.round(Math.max(0, Math.min(1, Number(d.confidence) || 0)) * 100);
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${pct}%`; // CSSOM, not a style attribute: allowed by the CSP.
  const evidence = d.evidence ?? [];
  return h(
    'li',
    { class: 'cause', 'data-family': d.family, 'data-cause': d.cause },
    h(
      'details',
      { open: rank === 0 },
      h(
        'summary',
        {},
        h('span', { class: 'cause-title' }, d.cause_title),
        h('span', { class: 'confidence' }, h('span', { class: 'bar', 'aria-hidden': 'true' }, fill), h('span', { class: 'pct' }, `${pct}%`), hidden(' confidence')),
      ),
      h('p', { class: 'family' }, d.title, ' ', h('code', { class: 'family-id' }, d.family)),
      d.explanation && h('p', { class: 'explanation' }, prose(d.explanation)),
      evidence.length > 0 && h('h3', {}, 'Evidence in the paste'),
      evidence.length > 0 && h('ul', { class: 'evidence' }, evidence.map(renderEvidence)),
      d.checks?.length > 0 && h('h3', {}, 'Check'),
      d.checks?.length > 0 && h('ul', { class: 'checks' }, d.checks.map((c) => h('li', {}, prose(c)))),
      d.references?.length > 0 && h('h3', {}, 'Django documentation'),
      d.references?.length > 0 && h('ul', { class: 'references' }, d.references.map((r) => h('li', {}, linkDocs(r)))),
    ),
  );
}

function renderEvidence(e) {
  const against = e.weight === 'against';
  return h(
    'li',
    { class: against ? 'against' : 'for' },
    h('span', { class: 'weight', 'aria-hidden': 'true' }, against ? '−' : '+'),
    hidden(against ? 'Against: ' : 'For: '),
    prose(e.says),
    e.quote && [' ', h('code', { class: 'quote' }, e.quote)],
  );
}

/** Links a docs.djangoproject.com address found in a reference; everything else stays text. */
function linkDocs(text) {
  const m = /https:\/\/docs\.djangoproject\.com\/[^\s<>"')]*/.exec(text);
  if (!m) return text;
  return [
    text.slice(0, m.index),
    h('a', { href: m[0], rel: 'noopener noreferrer', target: '_blank' }, m[0]),
    text.slice(m.index + m[0].length),
  ];
}

function hasRemedy(d) {
  return Boolean(d.fix || d.tests?.length || d.ci);
}

// Fix / Tests / CI: an ARIA tablist with roving focus (arrow keys, Home, End).
function renderRemedy(d) {
  const tabs = [
    { id: 'fix', label: 'Fix', panel: () => fixPanel(d.fix) },
    { id: 'tests', label: 'Tests', panel: () => testsPanel(d.tests ?? []) },
    { id: 'ci', label: 'CI', panel: () => ciPanel(d.ci) },
  ];
  const buttons = tabs.map((t) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${t.id}`,
        'aria-controls': `panel-${t.id}`,
        'aria-selected': String(t.id === state.tab),
        tabindex: t.id === state.tab ? 0 : -1,
        onclick: () => select(t.id),
      },
      t.label,
    ),
  );
  const panels = tabs.map((t) =>
    h('div', { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: 0, hidden: t.id !== state.tab }, t.panel()),
  );
  function select(id, focus = false) {
    state.tab = id;
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
      if (on && focus) buttons[i].focus();
    });
  }
  const tablist = h('div', {
    role: 'tablist',
    'aria-label': 'Remedy for the top cause',
    onkeydown: (ev) => {
      const i = tabs.findIndex((t) => t.id === state.tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
      if (next === undefined) return;
      ev.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length].id, true);
    },
  }, buttons);
  return h(
    'section',
    { class: 'remedy', 'aria-labelledby': 'remedy-h' },
    h('h2', { id: 'remedy-h' }, 'What to do: ', h('span', { class: 'remedy-for' }, d.cause_title)),
    tablist,
    panels,
  );
}

function fixPanel(fix) {
  if (!fix) return h('p', { class: 'empty' }, 'No code change is suggested for this cause; see the checks above.');
  return [
    h('p', {}, prose(fix.summary)),
    h('div', { class: 'before-after' }, codeBlock(`${fix.file} — before`, fix.before, fix.language), codeBlock(`${fix.file} — after`, fix.after, fix.language)),
    (fix.also ?? []).map((s) => [h('h3', {}, s.title), codeBlock(s.file, s.code, s.language)]),
  ];
}

function testsPanel(tests) {
  if (tests.length === 0) return h('p', { class: 'empty' }, 'No test is suggested for this cause.');
  return tests.map((t) => [h('h3', {}, t.title), codeBlock(t.file, t.code, t.language)]);
}

function ciPanel(ci) {
  if (!ci) return h('p', { class: 'empty' }, 'No CI change is suggested for this cause.');
  return [h('h3', {}, ci.title), codeBlock(ci.file, ci.code, ci.language)];
}

function codeBlock(caption, code, language) {
  const codeEl = h('code', { 'data-language': language }, code);
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${caption}`, onclick: () => copy(code, button, codeEl) }, 'Copy');
  return h('figure', { class: 'code' }, h('figcaption', {}, h('span', { class: 'file' }, caption), button), h('pre', { tabindex: 0 }, codeEl));
}

async function copy(text, button, codeEl) {
  const label = button.dataset.label ?? (button.dataset.label = button.textContent);
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // No clipboard API (insecure context, permission): fall back to a selected textarea and execCommand.
    const area = h('textarea', { class: 'clipboard-fallback', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
  }
  if (!ok) {
    // Last resort: select the code so the user can press Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(codeEl);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
  button.textContent = ok ? 'Copied' : 'Selected: press Ctrl+C';
  setTimeout(() => (button.textContent = label), 1600);
}

function renderChain(tb) {
  const excs = tb.exceptions ?? [];
  return h(
    'section',
    { class: 'chain', 'aria-labelledby': 'chain-h' },
    h('h2', { id: 'chain-h' }, excs.length > 1 ? `Exception chain (${excs.length}, oldest first)` : 'Traceback'),
    h('p', { class: 'meta' }, `Lines ${tb.start_line}–${tb.end_line} of the paste · frames oldest call first`),
    excs.map((exc, ei) => [
      exc.link && h('p', { class: 'link' }, LINKS[exc.link] ?? exc.link),
      renderException(exc, ei, tb.focus?.exception === ei ? tb.focus : null),
    ]),
  );
}

function renderException(exc, ei, focus, depth = 0) {
  const frames = exc.frames ?? [];
  return h(
    'article',
    { class: 'exception' },
    h('h3', { class: 'exception-type' }, exc.type || 'Exception (type not shown)'),
    exc.message && h('pre', { class: 'exception-message' }, exc.message),
    exc.notes?.length > 0 && h('ul', { class: 'notes' }, exc.notes.map((n) => h('li', {}, n))),
    frames.length > 0 && renderFrames(frames, ei, focus, depth),
    exc.group?.length > 0 &&
      h('div', { class: 'group' }, h('p', { class: 'meta' }, `${plural(exc.group.length, 'sub-exception')} in this group`), exc.group.map((g) => renderException(g, ei, null, depth + 1))),
  );
}

/**
 * Frames oldest first. App frames and the focus frame are always shown; runs of two or more other frames
 * fold into a "N library frames" disclosure, as Sentry does.
 */
function renderFrames(frames, ei, focus, depth) {
  const items = [];
  let run = [];
  const flush = () => {
    if (run.length >= 2) {
      const packages = [...new Set(run.map(([f]) => f.package).filter(Boolean))];
      items.push(
        h(
          'li',
          { class: 'folded' },
          h('details', {}, h('summary', {}, `${run.length} library frames`, packages.length > 0 && h('span', { class: 'packages' }, ` · ${packages.join(', ')}`)), h('ol', { class: 'frames' }, run.map(([f, i]) => renderFrame(f, ei, i, null, depth)))),
        ),
      );
    } else {
      items.push(...run.map(([f, i]) => renderFrame(f, ei, i, null, depth)));
    }
    run = [];
  };
  frames.forEach((f, i) => {
    const isFocus = focus?.frame === i;
    if (f.origin === 'app' || isFocus) {
      flush();
      items.push(renderFrame(f, ei, i, isFocus ? focus : null, depth));
    } else {
      run.push([f, i]);
    }
  });
  flush();
  return h('ol', { class: 'frames' }, items);
}

function renderFrame(f, ei, fi, focus, depth) {
  const origin = ORIGINS.has(f.origin) ? f.origin : 'other';
  return h(
    'li',
    { class: focus ? 'frame focus' : 'frame', 'data-origin': origin, id: depth === 0 ? frameId(ei, fi) : null },
    h(
      'div',
      { class: 'frame-head' },
      h('span', { class: 'origin', title: f.origin_rule ? `decided by: ${f.origin_rule}` : null }, origin),
      ' ',
      h('span', { class: 'loc' }, location(f)),
      ' ',
      h('span', { class: 'in' }, 'in'),
      ' ',
      h('code', { class: 'fn' }, f.function),
    ),
    f.code && h('pre', { class: 'src' }, h('code', {}, f.code)),
    f.repeated != null && h('p', { class: 'repeated' }, `Previous line repeated ${f.repeated} more times`),
    f.django && h('p', { class: 'django-note' }, h('span', { class: 'note-key' }, 'Django: '), f.django),
    f.note && h('p', { class: 'library-note' }, h('span', { class: 'note-key' }, `${f.package ?? origin}: `), f.note),
    focus && h('p', { class: 'focus-reason' }, h('strong', {}, 'Look here first: '), prose(focus.reason)),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Share links: the paste, secrets masked, deflated into the URL fragment — which browsers never send to a
// server. `#v1.` + base64url(deflate-raw(UTF-8)); `#v0.` + base64url(UTF-8) where CompressionStream is missing.

/** Longest paste a link carries: past this, links get too long to paste into chat. */
const SHARE_MAX_CHARS = 200_000;

async function pipeBytes(bytes, transform) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(transform)).arrayBuffer());
}

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function encodeShare(text) {
  const bytes = new TextEncoder().encode(text);
  if (typeof CompressionStream !== 'function') return `v0.${toBase64Url(bytes)}`;
  return `v1.${toBase64Url(await pipeBytes(bytes, new CompressionStream('deflate-raw')))}`;
}

async function decodeShare(fragment) {
  const [version, data] = [fragment.slice(0, 3), fragment.slice(3)];
  if (version === 'v0.') return new TextDecoder().decode(fromBase64Url(data));
  if (version === 'v1.') return new TextDecoder().decode(await pipeBytes(fromBase64Url(data), new DecompressionStream('deflate-raw')));
  return null;
}

async function makeShareLink() {
  const panel = $('share');
  const text = paste.value;
  panel.hidden = false;
  const note = $('share-masked');
  const url = $('share-url');
  if (text.length > SHARE_MAX_CHARS) {
    url.value = '';
    note.textContent = `This paste is ${formatBytes(text.length)}: too long for a link (the limit is ${formatBytes(SHARE_MAX_CHARS)}). Share the part that matters, one traceback.`;
    return;
  }
  const masked = JSON.parse(mask_secrets(text));
  const where = (x) => `${x.name}${x.line != null ? ` (line ${x.line})` : ''}`;
  note.textContent = masked.secrets.length
    ? `Masked before making the link: ${masked.secrets.map(where).join('; ')}.`
    : 'No secrets found in the paste (passwords in URLs, PASSWORD, SECRET_KEY, tokens, cookies): nothing was masked.';
  note.dataset.masked = String(masked.secrets.length);
  const base = window.location.href.split('#')[0];
  url.value = `${base}#${await encodeShare(masked.text)}`;
  if (window.location.protocol === 'file:') {
    note.textContent += ' This page is a file on your disk: the link opens it here. For a colleague, keep the part from # on and put the address of their copy before it.';
  }
  url.focus();
  url.select();
}

/** Opens the paste a share link carries, if the address has one; true when it did. */
async function openSharedPaste() {
  const fragment = window.location.hash.slice(1);
  if (!/^v[01]\./.test(fragment)) return false;
  try {
    const text = await decodeShare(fragment);
    if (text == null) return false;
    paste.value = text;
    picker.value = '';
    explainNow();
    status.textContent = `Opened from a share link · ${status.textContent}`;
  } catch (err) {
    showFailure('This share link is damaged: its paste could not be read.', err);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Big logs: scanned in pieces by log-worker.js (or on the page, between frames, where no worker can start),
// tracebacks grouped by signature; a group opens its first occurrence's full explanation.

const logPanel = $('log');
const logProgress = $('log-progress');
const logStatus = $('log-status');
const logCancel = $('log-cancel');
const logGroups = $('log-groups');

/** The scan on screen: { name, worker, cancelled, done, items: Map(key → li), opened: key }. */
let scan = null;

/** Reads a dropped or picked file: small ones go in the paste box, logs are scanned. */
async function openFile(file) {
  if (!file) return;
  if (file.size <= LOG_CHARS) {
    paste.value = await file.text();
    picker.value = '';
    explainNow();
    return;
  }
  startScan({ file }, `${file.name}, ${formatBytes(file.size)}`);
}

function startScan(input, name) {
  cancelScan();
  const job = { name, worker: null, cancelled: false, done: false, items: new Map(), opened: null, started: performance.now() };
  scan = job;
  logPanel.hidden = false;
  $('log-h').textContent = `Log: ${name}`;
  logGroups.replaceChildren();
  logProgress.max = Math.max(1, input.file?.size ?? input.text.length);
  logProgress.value = 0;
  logCancel.hidden = false;
  logStatus.textContent = 'Reading…';
  status.textContent = `Scanning ${name} for tracebacks…`;

  const onSnapshot = (snapshot, done, ms) => {
    if (scan !== job || job.cancelled) return;
    showSnapshot(job, snapshot, done, ms ?? performance.now() - job.started);
  };
  const onError = (message) => {
    if (scan !== job) return;
    job.done = true;
    logCancel.hidden = true;
    logStatus.textContent = `Could not read this log: ${message}`;
  };
  const onPage = () => {
    wasmReady
      .then(() =>
        scanLog(input.file ? fileSource(input.file) : textSource(input.text), summarize_log, {
          progress: (s) => onSnapshot(s, false),
          pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
          cancelled: () => job.cancelled || scan !== job,
        }),
      )
      .then((s) => s && onSnapshot(s, true))
      .catch((err) => onError(String(err?.message ?? err)));
  };
  if (OFFLINE || typeof Worker !== 'function') return onPage();
  try {
    job.worker = new Worker(new URL('./log-worker.js', import.meta.url), { type: 'module' });
  } catch {
    return onPage();
  }
  job.worker.onmessage = ({ data }) => {
    if (data.type === 'progress') onSnapshot(data.snapshot, false);
    else if (data.type === 'done') onSnapshot(data.snapshot, true, data.ms);
    else onError(data.message);
  };
  // A worker that cannot start (a browser without module workers) hands the scan to the page.
  job.worker.onerror = (ev) => {
    ev.preventDefault();
    job.worker?.terminate();
    job.worker = null;
    if (scan === job && !job.done) onPage();
  };
  job.worker.postMessage(input);
}

function cancelScan() {
  if (!scan || scan.done) return;
  scan.cancelled = true;
  scan.worker?.terminate();
  scan.done = true;
  logCancel.hidden = true;
  logStatus.textContent = `Cancelled after ${formatBytes(logProgress.value)} of ${formatBytes(logProgress.max)}. ${logStatus.textContent}`;
  status.textContent = 'Scan cancelled.';
}

function showSnapshot(job, s, done, ms) {
  logProgress.value = s.done;
  const found = `${plural(s.tracebacks, 'traceback')} in ${plural(s.groups.length + s.more, 'group')}`;
  const rate = ms > 0 ? ` · ${((s.done / 1e6) / (ms / 1000)).toFixed(1)} MB/s` : '';
  logStatus.textContent = done
    ? `${found} · ${formatBytes(s.total)} read in ${(ms / 1000).toFixed(2)} s${rate}`
    : `${formatBytes(s.done)} of ${formatBytes(s.total)} · ${found} so far`;
  if (s.problems.includes('binary')) logStatus.textContent += ' · parts of this file are binary, not text';
  // Rows are updated in place while the scan runs, so a row being clicked or focused stays put; the list is
  // put in order of frequency once, at the end.
  for (const g of s.groups) {
    const item = job.items.get(g.key);
    if (item) updateGroupItem(item, g);
    else {
      const li = groupItem(job, g);
      job.items.set(g.key, li);
      logGroups.appendChild(li);
    }
  }
  if (!done) return;
  job.done = true;
  const opened = (g) => job.items.get(g.key).group;
  logCancel.hidden = true;
  const focused = document.activeElement;
  logGroups.append(...s.groups.map((g) => job.items.get(g.key)));
  if (focused instanceof HTMLElement && logGroups.contains(focused)) focused.focus();
  if (s.more > 0) logGroups.appendChild(h('li', { class: 'log-more' }, `${plural(s.more, 'rarer group')} not listed`));
  status.textContent = `${job.name}: ${logStatus.textContent}`;
  // For the benchmark (scripts/bench_browser.mjs): what was read, in how long.
  logStatus.dataset.ms = ms.toFixed(1);
  logStatus.dataset.bytes = String(s.total);
  if (s.groups.length === 0) {
    results.replaceChildren(h('section', { class: 'message', id: 'message' }, h('h2', {}, 'No Python traceback found in this log')));
  } else if (job.opened == null) {
    openGroup(job, opened(s.groups[0]));
  }
}

function groupItem(job, g) {
  const li = h('li', { class: 'log-group', 'data-key': g.key, 'data-family': g.family });
  li.append(
    h('span', { class: 'count' }),
    h('div', { class: 'what' }, h('strong', {}, g.type || 'Exception'), g.message && `: ${g.message}`, h('div', { class: 'where' }, prose(g.cause_title), ' · ', g.app_frame ? h('code', {}, g.app_frame) : 'no frame of your code')),
    h('button', { type: 'button', class: 'open-group', 'aria-label': `Explain ${g.type || 'exception'}${g.app_frame ? ` at ${g.app_frame}` : ''}`, onclick: () => {
      openGroup(job, li.group);
      results.scrollIntoView({ block: 'start' });
    } }, 'Explain'),
    h('div', { class: 'where lines' }),
  );
  updateGroupItem(li, g);
  return li;
}

function updateGroupItem(li, g) {
  li.group = { ...g, sample: g.sample ?? li.group?.sample ?? '' };
  li.querySelector('.count').textContent = `×${g.count}`;
  li.querySelector('.lines').textContent = g.count > 1 ? `lines ${g.first_line} … ${g.last_line}` : `line ${g.first_line}`;
}

function openGroup(job, g) {
  job.opened = g.key;
  for (const li of logGroups.children) li.setAttribute('aria-current', String(li.dataset.key === g.key));
  showReport(g.sample, `Log group ×${g.count}, first at line ${g.first_line}: `);
}

// ---------------------------------------------------------------------------------------------------------
// Examples and start-up

/**
 * The single-file offline build (scripts/single_file.mjs) carries the wasm and the examples in a
 * `<script type="application/json" id="offline-data">` block, so the page needs no request at all.
 */
const OFFLINE = (() => {
  const block = document.getElementById('offline-data');
  if (!block) return null;
  const data = JSON.parse(block.textContent);
  return { ...data, wasm: Uint8Array.from(atob(data.wasm), (c) => c.charCodeAt(0)) };
})();

async function loadExampleIndex() {
  let index;
  if (OFFLINE) {
    index = OFFLINE.examples.index;
  } else {
    const res = await fetch('examples/index.json');
    if (!res.ok) throw new Error(`examples/index.json: HTTP ${res.status}`);
    index = await res.json();
  }
  picker.replaceChildren(
    h('option', { value: '' }, '— your own paste —'),
    ...index.examples.map((e) => h('option', { value: e.file }, e.title)),
  );
  return index;
}

async function loadExample(file) {
  if (OFFLINE) return OFFLINE.examples.files[file] ?? '';
  const res = await fetch(`examples/${encodeURIComponent(file)}`);
  if (!res.ok) throw new Error(`examples/${file}: HTTP ${res.status}`);
  return res.text();
}

async function showExample(file) {
  paste.value = await loadExample(file);
  picker.value = file;
  explainNow();
}

/** Resolves when the wasm core is ready (scans started on the page wait for it). */
let wasmReady = null;

async function main() {
  paste.addEventListener('input', () => {
    picker.value = '';
    $('share').hidden = true; // a link made before this edit no longer matches the paste
    status.textContent = 'Explaining…';
    explainSoon();
  });
  paste.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      explainNow();
    }
  });
  $('explain').addEventListener('click', explainNow);
  $('share-make').addEventListener('click', () => makeShareLink().catch((err) => showFailure('Could not make a share link.', err)));
  $('share-copy').addEventListener('click', () => copy($('share-url').value, $('share-copy'), $('share-url')));
  window.addEventListener('hashchange', () => openSharedPaste());
  logCancel.addEventListener('click', cancelScan);
  $('log-file').addEventListener('change', (ev) => {
    openFile(ev.target.files?.[0]).catch((err) => showFailure('Could not read that file.', err));
    ev.target.value = '';
  });
  const drop = document.querySelector('section.input');
  drop.addEventListener('dragover', (ev) => {
    if (!ev.dataTransfer?.types.includes('Files')) return;
    ev.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (ev) => {
    drop.classList.remove('dragging');
    const file = ev.dataTransfer?.files?.[0];
    if (!file) return;
    ev.preventDefault();
    openFile(file).catch((err) => showFailure('Could not read that file.', err));
  });
  picker.addEventListener('change', () => {
    if (picker.value) showExample(picker.value).catch((err) => showFailure('Could not load that example.', err));
  });

  wasmReady = init(OFFLINE ? { module_or_path: OFFLINE.wasm } : undefined);
  const index = await loadExampleIndex();
  const seed = await loadExample(index.default);
  await wasmReady;
  $('version').textContent = `v${version()}`;
  if (await openSharedPaste()) return;
  if (paste.value === '') {
    paste.value = seed;
    picker.value = index.default;
  }
  explainNow();
}

main().catch((err) => showFailure('The explainer could not start in this browser (it needs WebAssembly).', err));
