/**
 * Reads the parts of wrangler.toml (and .dev.vars) that a local run needs, so dev.ts starts the
 * Worker with the bindings a deploy would have. Only the TOML this example uses is understood
 * (tables, arrays of tables, strings, string arrays); anything else is refused, not guessed.
 */

import { readFile } from 'node:fs/promises';

export interface WranglerConfig {
  name: string;
  main: string;
  compatibilityDate: string;
  kvNamespaces: string[];
  /** Binding name to Durable Object class name. */
  durableObjects: Record<string, string>;
  /** From .dev.vars: local-only variables. */
  devVars: Record<string, string>;
}

type Table = Record<string, unknown>;

/**
 * A TOML subset: `[a.b]`, `[[a.b]]`, `key = "string"` and `key = ["a", "b"]`, `#` comments.
 *
 * @example
 * parseToml('[[kv_namespaces]]\nbinding = "USERS"'); // { kv_namespaces: [{ binding: 'USERS' }] }
 */
export function parseToml(text: string): Table {
  const root: Table = {};
  let current = root;
  const at = (path: string[], table: Table = root): Table =>
    path.reduce<Table>((t, key) => {
      const next = t[key];
      if (Array.isArray(next)) return next[next.length - 1] as Table;
      return (t[key] ??= {}) as Table;
    }, table);
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    let match: RegExpExecArray | null;
    if ((match = /^\[\[([\w.]+)\]\]$/.exec(line))) {
      const path = match[1]!.split('.');
      const parent = at(path.slice(0, -1));
      const list = ((parent[path.at(-1)!] as Table[] | undefined) ??= []);
      list.push((current = {}));
    } else if ((match = /^\[([\w.]+)\]$/.exec(line))) {
      current = at(match[1]!.split('.'));
    } else if ((match = /^(\w+)\s*=\s*(".*"|\[.*\])\s*(#.*)?$/.exec(line))) {
      current[match[1]!] = JSON.parse(match[2]!);
    } else {
      throw new Error(`wrangler.toml line ${index + 1}: not understood by dev.ts: ${raw}`);
    }
  }
  return root;
}

/**
 * `KEY=value` lines, `#` comments.
 *
 * @example
 * parseDevVars('DEVELOPMENT_COOKIE=true'); // { DEVELOPMENT_COOKIE: 'true' }
 */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(\w+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && !line.trimStart().startsWith('#'))
      vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

/**
 * @example
 * const config = await readWranglerConfig(new URL('./', import.meta.url));
 */
export async function readWranglerConfig(dir: URL): Promise<WranglerConfig> {
  const toml = parseToml(await readFile(new URL('wrangler.toml', dir), 'utf8'));
  const devVars = await readFile(new URL('.dev.vars', dir), 'utf8').then(parseDevVars, () => ({}));
  const string = (key: string) => {
    if (typeof toml[key] !== 'string') throw new Error(`wrangler.toml: ${key} is missing`);
    return toml[key];
  };
  const kv = (toml.kv_namespaces as { binding: string }[] | undefined) ?? [];
  const objects =
    ((toml.durable_objects as Table | undefined)?.bindings as
      { name: string; class_name: string }[] | undefined) ?? [];
  return {
    name: string('name'),
    main: string('main'),
    compatibilityDate: string('compatibility_date'),
    kvNamespaces: kv.map((k) => k.binding),
    durableObjects: Object.fromEntries(objects.map((o) => [o.name, o.class_name])),
    devVars,
  };
}
