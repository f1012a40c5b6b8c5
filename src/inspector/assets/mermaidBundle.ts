/**
 * Mermaid's browser bundle, read from the installed `mermaid` package, so the page draws
 * the statechart without reaching any other server.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

let bundle: Promise<Buffer> | undefined;

/** Reads `mermaid/dist/mermaid.min.js` once and keeps it; a failed read is tried again next time. */
export function readMermaidBundle(): Promise<Buffer> {
  if (bundle === undefined) {
    const path = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    bundle = readFile(path);
    bundle.catch(() => {
      bundle = undefined;
    });
  }
  return bundle;
}
