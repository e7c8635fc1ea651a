/**
 * `packages/core/src` speaks only Web standards plus `jose` and
 * `@noble/hashes` (issue 2): no `node:` imports, no `require`, no `process`,
 * no `Buffer`, no runtime globals of Deno or Bun, no framework. The source is
 * read with the TypeScript parser, so a comment that mentions `Buffer` is fine
 * and code that uses it is not.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : /\.[cm]?[jt]sx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

const FORBIDDEN_GLOBALS = new Set([
  'process',
  'Buffer',
  'Deno',
  'Bun',
  'require',
  '__dirname',
  '__filename',
  'setImmediate',
]);

/** The optional entries may use their optional peer: `/testing` vitest, `/webauthn` @simplewebauthn/server. */
const PEERS: Record<string, string> = { testing: 'vitest', webauthn: '@simplewebauthn/server' };

function allowedModule(spec: string, entry: string): boolean {
  if (spec.startsWith('./') || spec.startsWith('../')) return true;
  if (spec === 'jose' || spec.startsWith('@noble/hashes/')) return true;
  return PEERS[entry] === spec;
}

/** Every violation in one file's text, as `line: what`. */
function violations(text: string, fileName: string, entry: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const checkSpecifier = (node: ts.Node, spec: ts.Node | undefined) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      if (!allowedModule(spec.text, entry)) at(node, `imports '${spec.text}'`);
    } else if (spec) at(node, 'imports a computed module name');
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node))
      checkSpecifier(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node)) at(node, 'uses import = require()');
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      checkSpecifier(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      checkSpecifier(node, node.argument.literal);
    else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
      const parent = node.parent;
      // `x.process` names a property, not the global; `globalThis.process` does reach the global.
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) &&
          parent.name === node &&
          !/^(globalThis|global|self|window)$/.test(parent.expression.getText())) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isPropertySignature(parent) && parent.name === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node);
      if (!isPropertyName) at(node, `uses ${node.text}`);
    } else if (
      (ts.isStringLiteralLike(node) || ts.isTemplateHead(node)) &&
      /^node:/.test(node.text)
    )
      at(node, `names '${node.text}'`);
    else if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      FORBIDDEN_GLOBALS.has(node.argumentExpression.text)
    ) {
      at(node, `uses ${node.argumentExpression.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('packages/core/src is Web standards plus jose and @noble/hashes', () => {
  const files = sourceFiles(SRC);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(15);
    expect(files.map((f) => relative(SRC, f))).toEqual(
      expect.arrayContaining(['engine.ts', 'random.ts', join('store', 'memory.ts')]),
    );
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s', (rel, file) => {
    const entry = rel.includes(sep) ? rel.slice(0, rel.indexOf(sep)) : '';
    expect(violations(readFileSync(file, 'utf8'), file, entry)).toEqual([]);
  });
});

describe('the purity check itself catches what it must', () => {
  it.each([
    ["import { createHash } from 'node:crypto';", "imports 'node:crypto'"],
    ["import fs from 'fs';", "imports 'fs'"],
    ["export { x } from 'hono';", "imports 'hono'"],
    ["import type { Context } from 'express';", "imports 'express'"],
    ["import { it } from 'vitest';", "imports 'vitest'"],
    ["const m = await import('node:fs');", "imports 'node:fs'"],
    ["const c = require('crypto');", 'uses require'],
    ['const env = process.env.SECRET;', 'uses process'],
    ['const p = globalThis.process;', 'uses process'],
    ["const p = globalThis['process'];", 'uses process'],
    ["const b = Buffer.from('x');", 'uses Buffer'],
    ['const k = Deno.env.get("K");', 'uses Deno'],
    ['const f = Bun.file("x");', 'uses Bun'],
    ['type T = import("node:http").Server;', "imports 'node:http'"],
  ])('%s', (code, expected) => {
    expect(violations(code, 'bad.ts', '').join('\n')).toContain(expected);
  });

  it('lets comments, property names, allowed modules and vitest under testing pass', () => {
    const ok = [
      '// no Buffer, no process.env, no node:crypto here',
      '/** Uses require( nothing. */',
      "import { sha256 } from '@noble/hashes/sha2.js';",
      "import { base64url } from 'jose';",
      "import { x } from './x.js';",
      'const o = { process: 1 }; o.process;',
    ].join('\n');
    expect(violations(ok, 'ok.ts', '')).toEqual([]);
    expect(violations("import { it } from 'vitest';", 'testing/x.ts', 'testing')).toEqual([]);
    const webauthn = "import { verifyAuthenticationResponse } from '@simplewebauthn/server';";
    expect(violations(webauthn, 'webauthn/x.ts', 'webauthn')).toEqual([]);
    // Only its own entry may use an optional peer: the main entry must load without it.
    expect(violations(webauthn, 'engine.ts', '')).toHaveLength(1);
    expect(violations("import { it } from 'vitest';", 'webauthn/x.ts', 'webauthn')).toHaveLength(1);
  });
});
