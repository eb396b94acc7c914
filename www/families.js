/**
 * families.js — the browsable index of the knowledge base.
 *
 * `families.json` is written by `./dev build` from the CLI (`traceback-explainer --list --format json`): one
 * entry per family with its code, slug, title, summary and example traceback. Each example is explained here
 * by the wasm core, so the index always shows what the explainer really says. All text is set as text.
 */
import init, { explain } from './pkg/traceback_explainer_wasm.js';

const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function prose(text) {
  const parts = String(text ?? '').split('`');
  if (parts.length < 3) return text;
  return parts.map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}

function renderFamily(f) {
  const report = f.example_text ? JSON.parse(explain(f.example_text)) : null;
  const top = report?.diagnosis?.[0];
  const recognised = top?.family === f.family;
  return h(
    'article',
    { class: 'family-entry', id: f.family, 'data-family': f.family },
    h('h2', {}, h('code', {}, f.code), ' ', f.title),
    h('p', { class: 'family' }, h('code', { class: 'family-id' }, f.family)),
    h('p', {}, prose(f.summary)),
    f.example_text &&
      h('details', {}, h('summary', {}, `Example traceback (fixtures/${f.example})`), h('pre', { class: 'example' }, f.example_text)),
    top &&
      h(
        'div',
        { class: 'family-answer' },
        h('h3', {}, recognised ? 'What the explainer says' : 'Not recognised as this family'),
        h(
          'ol',
          { class: 'causes' },
          report.diagnosis.map((d) => h('li', {}, h('strong', {}, `${Math.round(d.confidence * 100)}%`), ' ', d.cause_title)),
        ),
        top.fix && h('p', {}, h('strong', {}, 'Fix: '), prose(top.fix.summary)),
      ),
  );
}

async function main() {
  await init();
  const res = await fetch('families.json');
  if (!res.ok) throw new Error(`families.json: HTTP ${res.status}`);
  const families = await res.json();
  $('toc').replaceChildren(h('ul', {}, families.map((f) => h('li', {}, h('a', { href: `#${f.family}` }, `${f.code} ${f.title}`)))));
  $('families').replaceChildren(...families.map(renderFamily));
  $('status').textContent = `${families.length} families`;
}

main().catch((err) => {
  console.error(err);
  $('status').textContent = `The index could not load: ${err.message}`;
});
