/**
 * log-scan.js — reads a big log in pieces and groups its tracebacks by signature. Owns the loop only: where
 * the text comes from (a File or a string), how pieces meet (the core's not-consumed tail goes in front of
 * the next piece, so no traceback is cut in two), line numbers across pieces, and merging the pieces' groups.
 *
 * Runs in the Web Worker (log-worker.js) and, where no module worker can start (the single offline file
 * opened from file://), on the page between animation frames. No DOM here.
 */

/** Bytes read per piece: small enough for smooth progress and a prompt cancel. */
export const PIECE_BYTES = 1 << 20;
/** A tail the core keeps back grows no larger than this; past it the piece is read as complete. */
const MAX_PENDING = 8 << 20;
/** Groups sent with each progress message (the most frequent); the rest are counted. */
export const MAX_GROUPS = 200;

/**
 * Scans `source` ({ size, read(start, end) → Promise<string> } — decoded text of bytes start..end, in order)
 * with `summarize(piece, moreFollows)` (the wasm export, JSON string out). Calls `progress(snapshot)` after each
 * piece and resolves to the final snapshot: { done, total, lines, tracebacks, groups, more, problems }; a
 * group's `sample` is only in the first snapshot that lists it.
 * `pause()` is awaited between pieces (the page yields there); `cancelled()` stops the scan.
 */
export async function scanLog(source, summarize, { progress = () => {}, pause = async () => {}, cancelled = () => false } = {}) {
  const groups = new Map();
  const problems = new Set();
  let pending = '';
  let lines = 0;
  let tracebacks = 0;
  let pos = 0;
  // A group's sample (up to 400 lines) travels in the first snapshot that lists it, not in every one after.
  const sent = new Set();
  const snapshot = () => {
    const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.first_line - b.first_line);
    const listed = sorted.slice(0, MAX_GROUPS).map((g) => {
      if (!sent.has(g.key)) {
        sent.add(g.key);
        return { ...g };
      }
      return { ...g, sample: undefined };
    });
    return {
      done: pos,
      total: source.size,
      lines,
      tracebacks,
      groups: listed,
      more: Math.max(0, sorted.length - MAX_GROUPS),
      problems: [...problems],
    };
  };
  const take = (moreFollows) => {
    const summary = JSON.parse(summarize(pending, moreFollows));
    if (summary.error) throw new Error(summary.error);
    for (const g of summary.groups) {
      const first = lines + g.first_line;
      const last = lines + g.last_line;
      const known = groups.get(g.key);
      if (known) {
        known.count += g.count;
        known.last_line = last;
      } else {
        groups.set(g.key, { ...g, first_line: first, last_line: last });
      }
    }
    for (const p of summary.problems ?? []) problems.add(p);
    tracebacks += summary.tracebacks;
    lines += summary.consumed_lines;
    pending = pending.slice(summary.consumed_utf16);
  };

  while (pos < source.size) {
    if (cancelled()) return null;
    const end = Math.min(source.size, pos + PIECE_BYTES);
    pending += await source.read(pos, end);
    pos = end;
    const last = pos >= source.size;
    take(!last && pending.length < MAX_PENDING);
    progress(snapshot());
    await pause();
  }
  if (pending.length > 0) take(false);
  return snapshot();
}

/** A File or Blob as a scan source: UTF-8 decoded in order, a character split across pieces kept whole. */
export function fileSource(file) {
  const decoder = new TextDecoder('utf-8');
  return {
    size: file.size,
    read: async (start, end) => decoder.decode(await file.slice(start, end).arrayBuffer(), { stream: end < file.size }),
  };
}

/** A string as a scan source (a big paste): sizes in UTF-16 units; the core copes with a piece ending mid-line. */
export function textSource(text) {
  return {
    size: text.length,
    read: async (start, end) => text.slice(start, end),
  };
}
