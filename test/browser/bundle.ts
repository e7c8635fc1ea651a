/**
 * The client's ESM bundle, built from its sources with esbuild once per test
 * file, for the test app to serve: what a browser loads, nothing from a CDN.
 */

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

let bundle: Promise<string> | undefined;

/** The bundle's text (built on first use). */
export function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((result) => {
    const text = result.outputFiles[0]!.text;
    // The client must carry no core code: its import of @latchkey/core is for types only.
    if (/createLatchkey|createTokenIssuer/.test(text))
      throw new Error('the client bundle pulled in @latchkey/core code');
    return text;
  });
  return bundle;
}
