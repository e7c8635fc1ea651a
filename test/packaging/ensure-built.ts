/**
 * The packaging checks read the built packages; `pnpm check:packaging` builds
 * them first, and a check run on its own builds them when any file is missing.
 */
import { execFileSync } from 'node:child_process';
import { built, root } from './entries.js';

export function ensureBuilt(): void {
  if (built()) return;
  execFileSync('pnpm', ['build'], { cwd: root, stdio: 'inherit', timeout: 600_000 });
  if (!built()) throw new Error('pnpm build finished but some entry points have no built file');
}
