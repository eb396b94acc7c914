/**
 * log-worker.js — the Web Worker that scans big logs off the page's thread, so the page keeps answering clicks
 * while a 50 MB log is read. Owns only the message protocol; the loop is log-scan.js, the grouping the core's
 * `summarize_log`.
 *
 * Page → worker: { file: File } or { text: string }.
 * Worker → page: { type: 'progress', snapshot }, { type: 'done', snapshot, ms }, { type: 'error', message }.
 * Cancelling is the page terminating the worker: nothing here needs to clean up.
 */
import init, { summarize_log } from './pkg/traceback_explainer_wasm.js';
import { fileSource, scanLog, textSource } from './log-scan.js';

const ready = init();

self.onmessage = async (event) => {
  const { file, text } = event.data ?? {};
  try {
    await ready;
    const started = performance.now();
    const source = file ? fileSource(file) : textSource(String(text ?? ''));
    const snapshot = await scanLog(source, summarize_log, {
      progress: (s) => self.postMessage({ type: 'progress', snapshot: s }),
    });
    self.postMessage({ type: 'done', snapshot, ms: performance.now() - started });
  } catch (err) {
    self.postMessage({ type: 'error', message: String(err?.message ?? err) });
  }
};
