/**
 * make_log.mjs — a deterministic Django server log of a given size, for the big-log page test and the browser
 * benchmark. The tracebacks are real program output (fixtures/real/, listed in fixtures/manifest.json with the
 * run that made each); around them go the access lines and log records a Django server writes, and before each
 * traceback the `ERROR django.request Internal Server Error: /path` record Django's logger prints.
 *
 * Usage: node scripts/make_log.mjs OUT MEGABYTES   → writes OUT and OUT.expect.json
 * The expectation file gives, per fixture, its family and how many times it was written: the page must find
 * exactly that many tracebacks in exactly that many groups.
 */
import { readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Real runtime errors a server log carries, one per family (so one group each). */
export const INCIDENTS = [
  { file: 'real/pg_refused_psycopg2_ip.txt', family: 'pg-conn-refused' },
  { file: 'real/pg_auth_failed.txt', family: 'pg-auth-failed' },
  { file: 'real/mysql/mysql_gone_away.txt', family: 'mysql-gone-away' },
  { file: 'real/mysql/mysql_duplicate_entry.txt', family: 'integrity-unique' },
  { file: 'real/mysql/mysql_data_too_long.txt', family: 'value-too-long' },
  { file: 'real/mysql/sqlite_locked.txt', family: 'sqlite-locked' },
  { file: 'real/postgres/conn_closed_terminated.txt', family: 'pg-conn-closed' },
  { file: 'real/orm/field_error_property.txt', family: 'field-error-lookup' },
];

const PATHS = ['/', '/api/items/', '/orders/42/', '/blog/hello-world/', '/accounts/login/', '/api/users/7/', '/cart/', '/health/'];
const RECORDS = [
  'INFO celery.worker Task orders.tasks.send_receipt[{n}] succeeded in 0.{n}s',
  'INFO app.cache cache miss key=product:{n}',
  'WARNING django.request Not Found: /favicon.ico',
  'DEBUG django.db.backends (0.00{n}) SELECT "shop_product"."id" FROM "shop_product" LIMIT 21; args=()',
];

/** A small deterministic PRNG (mulberry32): the same size gives the same log. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeLog(out, megabytes) {
  const texts = INCIDENTS.map((i) => readFileSync(`${ROOT}fixtures/${i.file}`, 'utf8').replace(/\s+$/, ''));
  const counts = INCIDENTS.map(() => 0);
  const rnd = random(42);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const target = Math.round(megabytes * 1e6);
  const fd = openSync(out, 'w');
  let size = 0;
  let second = 0;
  let buffer = [];
  const write = (line) => {
    buffer.push(line);
    size += Buffer.byteLength(line) + 1;
    if (buffer.length >= 4096) flush();
  };
  const flush = () => {
    writeSync(fd, `${buffer.join('\n')}\n`);
    buffer = [];
  };
  const stamp = () => {
    second += 1;
    const s = second % 60;
    const m = Math.floor(second / 60) % 60;
    const h = Math.floor(second / 3600) % 24;
    return `2026-11-28 ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')},${String(second % 1000).padStart(3, '0')}`;
  };
  while (size < target) {
    const quiet = 5 + Math.floor(rnd() * 40);
    for (let i = 0; i < quiet; i++) {
      if (rnd() < 0.7) write(`[28/Nov/2026 ${stamp().slice(11, 19)}] "GET ${pick(PATHS)} HTTP/1.1" 200 ${1000 + Math.floor(rnd() * 9000)}`);
      else write(`${stamp()} ${pick(RECORDS).replaceAll('{n}', String(Math.floor(rnd() * 1000)))}`);
    }
    const k = Math.floor(rnd() * INCIDENTS.length);
    counts[k] += 1;
    write(`${stamp()} ERROR django.request Internal Server Error: ${pick(PATHS)}`);
    write(texts[k]);
  }
  flush();
  closeSync(fd);
  const expect = {
    bytes: size,
    tracebacks: counts.reduce((a, b) => a + b, 0),
    groups: INCIDENTS.map((i, k) => ({ ...i, count: counts[k] })).filter((g) => g.count > 0),
  };
  writeFileSync(`${out}.expect.json`, JSON.stringify(expect, null, 2));
  return expect;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, mb] = process.argv.slice(2);
  if (!out || !(Number(mb) > 0)) {
    console.error('usage: node scripts/make_log.mjs OUT MEGABYTES');
    process.exit(2);
  }
  const e = makeLog(out, Number(mb));
  console.log(`wrote ${out}: ${e.bytes} bytes, ${e.tracebacks} tracebacks in ${e.groups.length} groups`);
}
