// Types of the traceback-explainer package. The report types (Report, Traceback, Exception, Frame,
// Diagnosis, …) are in report.d.ts, generated from the Rust model; this file adds the functions.
import type { Report } from './report.js';

export * from './report.js';

/**
 * Explains a paste (a Django/Python traceback, clean or wrapped in log prefixes, a debug page, a pytest
 * report…). Never throws for any text: a paste with no traceback gets a report with `problems`.
 */
export function explain(text: string): Report;

/** Explains a paste: the report as the JSON text the CLI prints with `--format json`. */
export function explainJson(text: string): string;

/** The version of the explainer's core. */
export function version(): string;
