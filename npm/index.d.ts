// Types of the traceback-explainer package. The report types (Report, Traceback, Exception, Frame,
// Diagnosis, …) are in report.d.ts, generated from the Rust model; this file adds the functions.
import type { Masked, Report } from './report.js';

export * from './report.js';

/**
 * Explains a paste (a Django/Python traceback, clean or wrapped in log prefixes, a debug page, a pytest
 * report…). Never throws for any text: a paste with no traceback gets a report with `problems`.
 */
export function explain(text: string): Report;

/** Explains a paste: the report as the JSON text the CLI prints with `--format json`. */
export function explainJson(text: string): string;

/**
 * The paste with every secret found (URL and DSN passwords, `PASSWORD`/`SECRET_KEY`/token values, session
 * cookies, token shapes, private keys) replaced by `********`, every other character kept, and what was
 * masked (kind, line, name; never the value). A report lists the same findings in `secrets`.
 */
export function maskSecrets(text: string): Masked;

/** The version of the explainer's core. */
export function version(): string;
