/**
 * What the pages load, all served by the demo itself (nothing from another
 * origin): the stylesheet, the page scripts, and `@latchkey/client` bundled
 * from its sources with esbuild at start-up (about 50 ms).
 */

import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly body: string;
  readonly type: string;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Every asset by its URL path. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const files = ['demo.css', 'demo.js', 'spa.js', 'icon.svg'];
  const [client, ...bodies] = await Promise.all([
    build({
      entryPoints: [here('../../packages/client/src/index.ts')],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text),
    ...files.map((file) => readFile(here(`./public/${file}`), 'utf8')),
  ]);
  const assets = new Map<string, Asset>([['/client.js', { body: client, type: TYPES.js! }]]);
  files.forEach((file, i) =>
    assets.set(`/public/${file}`, { body: bodies[i]!, type: TYPES[file.split('.').pop()!]! }),
  );
  return assets;
}
