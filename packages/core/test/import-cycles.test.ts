// No import cycles in packages/core/src, type-only imports included: a part never imports the module
// that owns it. The detector is checked against a planted cycle first, so a green run means something.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The import graph of the .ts files under `dir`, relative imports only. */
function graph(dir: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(dir);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!.replace(/\.js$/, '');
      const target = [`${spec}.ts`, `${spec}/index.ts`]
        .map((p) => resolve(dirname(file), p))
        .find((p) => existsSync(p));
      if (target) targets.push(target);
    }
    edges.set(file, targets);
  }
  return edges;
}

/** Every cycle (strongly connected component of more than one file, or a self-import), as relative paths. */
function cycles(dir: string): string[][] {
  const edges = graph(dir);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const strong = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(dir, w));
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.includes(v)) found.push(component.sort());
    }
  };
  for (const file of edges.keys()) if (!index.has(file)) strong(file);
  return found;
}

describe('import structure of packages/core/src', () => {
  it('the detector finds a planted cycle, type-only imports included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-cycles-'));
    try {
      writeFileSync(
        join(dir, 'engine.ts'),
        "import { part } from './part.js';\nexport const e = part;\n",
      );
      writeFileSync(
        join(dir, 'part.ts'),
        "import type { E } from './engine.js';\nexport const part = 1;\n",
      );
      writeFileSync(join(dir, 'leaf.ts'), 'export const leaf = 1;\n');
      expect(cycles(dir)).toEqual([['engine.ts', 'part.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no import cycles', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    expect(graph(src).size).toBeGreaterThan(40);
    expect(cycles(src)).toEqual([]);
  });
});
