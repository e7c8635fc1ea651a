/**
 * The page: public/index.html, public/style.css and public/app.ts, the last bundled with
 * esbuild at start-up, in memory (no build step, nothing written to disk). `@latchkey/client`
 * comes into the bundle from npm, or here from the workspace's sources (tsconfig.json's paths).
 */

import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** A file the page loads, by its URL path. */
export interface Asset {
  readonly body: string;
  readonly type: string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Build the page's files once (about 50 ms); a bundling error fails the start.
 *
 * @example
 * const assets = await buildPage();
 * assets.get('/app.js')?.body; // the page's script with @latchkey/client inside
 */
export async function buildPage(): Promise<Map<string, Asset>> {
  const [script, html, css] = await Promise.all([
    build({
      entryPoints: [here('./public/app.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text),
    readFile(here('./public/index.html'), 'utf8'),
    readFile(here('./public/style.css'), 'utf8'),
  ]);
  return new Map<string, Asset>([
    ['/', { body: html, type: 'text/html; charset=utf-8' }],
    ['/app.js', { body: script, type: 'text/javascript; charset=utf-8' }],
    ['/style.css', { body: css, type: 'text/css; charset=utf-8' }],
  ]);
}
