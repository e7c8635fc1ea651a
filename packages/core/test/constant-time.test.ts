/**
 * Secret comparisons are constant-time (issue 12), shown without timing:
 * `sameHash` reads every character wherever the first difference is, and no
 * `===`, `startsWith`, `switch` or the like in packages/core/src touches a
 * secret-bearing name. IDs, refresh tokens, selectors and `jti`s are looked up
 * by hash; WebCrypto checks signatures and tags (docs/security.md).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { sameHash, validatorHash } from '../src/remember-me/device-token.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Names that carry a secret or a digest of one; `length`, `handle`, `userId` and the like do not. */
const SECRET = /hash|validator|secret|token|signature|digest|presented|password|^mac$|^tag$/i;
const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);
/** String methods that stop at the first differing character. */
const EARLY_EXIT = new Set(['startsWith', 'endsWith', 'includes', 'indexOf', 'localeCompare']);

/** The name an operand ends in (`record.validatorHash` → `validatorHash`, `hashSecret(x)` → `hashSecret`); `null` for literals, `typeof`, arithmetic. */
function leaf(node: ts.Expression): string | null {
  if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node))
    return leaf(node.expression);
  if (ts.isIdentifier(node)) return node.text === 'undefined' ? null : node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) || ts.isCallExpression(node)) return leaf(node.expression);
  return null;
}

/** Secret-bearing: a secret's name, not a constant's (`SECRET_BYTES` is a size). */
const secret = (node: ts.Expression) => {
  const name = leaf(node) ?? '';
  return SECRET.test(name) && !/^[A-Z0-9_]+$/.test(name);
};

/** Every comparison in `text` that could stop early on a secret, as `line: code`. */
function earlyExits(text: string, fileName = 'x.ts'): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node) =>
    found.push(
      `${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`,
    );
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      const [l, r] = [leaf(node.left), leaf(node.right)];
      // Against a literal, `undefined` or `typeof` it is a shape check, which reveals nothing secret.
      if (l !== null && r !== null && (secret(node.left) || secret(node.right))) at(node);
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      EARLY_EXIT.has(node.expression.name.text) &&
      (secret(node.expression.expression) || node.arguments.some(secret))
    ) {
      at(node);
    } else if (ts.isSwitchStatement(node) && secret(node.expression)) at(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Each `x.validatorHash` read in `text`, with the call it is an argument of (`''` for none). */
function storedHashReads(text: string, fileName = 'x.ts'): { line: number; call: string }[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { line: number; call: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'validatorHash') {
      const parent = node.parent;
      const call =
        ts.isCallExpression(parent) && parent.arguments.includes(node)
          ? `${parent.expression.getText()}(`
          : '';
      found.push({ line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, call });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('sameHash, the constant-time comparison', () => {
  const a = validatorHash('a validator');
  const b = validatorHash('another validator');
  const differ = (s: string, i: number) =>
    s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

  it('is true for equal strings and false for a difference at the first or the last character, or in length', () => {
    expect(a).toHaveLength(43);
    expect(sameHash(a, a)).toBe(true);
    expect(sameHash(a, validatorHash('a validator'))).toBe(true); // equal, computed apart
    expect(sameHash(a, b)).toBe(false);
    expect(sameHash(a, differ(a, 0))).toBe(false);
    expect(sameHash(a, differ(a, 42))).toBe(false);
    expect(sameHash(a, a.slice(0, 42))).toBe(false);
    expect(sameHash(a, `${a}A`)).toBe(false);
    expect(sameHash('', '')).toBe(true);
    expect(sameHash(a, undefined as unknown as string)).toBe(false);
    expect(sameHash(7 as unknown as string, 7 as unknown as string)).toBe(false);
  });

  it('reads every character of both, wherever the first difference is (no early exit)', () => {
    const reads = vi.spyOn(String.prototype, 'charCodeAt');
    try {
      const counts = [a, differ(a, 0), differ(a, 21), differ(a, 42), b].map((other) => {
        reads.mockClear();
        sameHash(a, other);
        return reads.mock.calls.length;
      });
      expect(counts).toEqual([86, 86, 86, 86, 86]); // 43 characters of each, every time
    } finally {
      reads.mockRestore();
    }
  });
});

describe('no secret in packages/core/src is compared with an early exit', () => {
  const files = sourceFiles(SRC);

  it('finds the sources that handle secrets', () => {
    expect(files.map((f) => relative(SRC, f))).toEqual(
      expect.arrayContaining([
        join('remember-me', 'remember-me.ts'),
        join('tokens', 'issuer.ts'),
        'request-session.ts',
      ]),
    );
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s', (_rel, file) => {
    expect(earlyExits(readFileSync(file, 'utf8'), file)).toEqual([]);
  });

  it('every read of a stored validator hash is an argument of sameHash (or of the record shape check)', () => {
    const reads = files.flatMap((f) => storedHashReads(readFileSync(f, 'utf8'), f));
    expect(reads.length).toBeGreaterThanOrEqual(4); // recall (current, previous) and forget (both)
    expect(reads.filter((r) => !/^(sameHash|isStr)\(/.test(r.call))).toEqual([]);
  });
});

describe('the scan itself catches what it must', () => {
  it.each([
    'if (presented === record.validatorHash) ok();',
    'if (hashSecret(id) !== stored) fail();',
    'const same = token == other;',
    'return jws.signature !== expected;',
    'const ok = (a.tag as string) === b;',
    'if (record.validatorHash.startsWith(presented)) ok();',
    'if (presented.includes(x)) ok();',
    'switch (refreshToken) { case a: break; }',
  ])('%s', (code) => {
    expect(earlyExits(code)).toHaveLength(1);
  });

  it('lets shape checks, public handles and the helper through', () => {
    const ok = [
      "if (typeof token !== 'string') bad();",
      'if (token === null || token === undefined) bad();',
      "if (token !== '' && token.length === 43) good();",
      'if (found.handle === handle && previous.userId === userId) same();',
      'if (sameHash(presented, record.validatorHash)) good();',
      'if (bytes.length !== SECRET_BYTES) throw new RangeError();',
      'if (policy.accessTokenTtl === false) off(); // a setting named after tokens, against a literal',
    ].join('\n');
    expect(earlyExits(ok)).toEqual([]);
  });

  it('sees a stored validator hash read outside sameHash', () => {
    const reads = storedHashReads(
      'sameHash(p, r.validatorHash); const h = r.validatorHash; log(r.previous.validatorHash);',
    );
    expect(reads.map((r) => r.call)).toEqual(['sameHash(', '', 'log(']);
  });
});
