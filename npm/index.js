// traceback-explainer: the typed entry point of the npm package. The wasm-bindgen glue it imports
// (traceback_explainer_wasm.js) instantiates the WebAssembly module when first imported, through the
// bundler's WebAssembly ESM integration (webpack 5 asyncWebAssembly, vite-plugin-wasm, Node's
// --experimental-wasm-modules). Types: index.d.ts and report.d.ts (generated from the Rust model).
import { explain as explainWasm, mask_secrets as maskSecretsWasm, version as versionWasm } from './traceback_explainer_wasm.js';

/** Explains a paste: the report as an object (see `Report` in report.d.ts). */
export function explain(text) {
  return JSON.parse(explainWasm(text));
}

/** Explains a paste: the report as the JSON text the CLI prints with `--format json`. */
export function explainJson(text) {
  return explainWasm(text);
}

/** The paste with every secret (password, key, token, cookie) masked, and what was masked (see `Masked`). */
export function maskSecrets(text) {
  return JSON.parse(maskSecretsWasm(text));
}

/** The version of the explainer's core. */
export function version() {
  return versionWasm();
}
