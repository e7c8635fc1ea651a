/**
 * What a runtime entry prints: one line, a marker then JSON, so stray logging
 * cannot confuse the Node-side reader. No imports: it is bundled into Deno,
 * Bun and workerd entries.
 */
export const reportMarker = 'LATCHKEY_REPORT ';

/** One case's outcome. */
export interface CaseResult {
  name: string;
  passed: boolean;
  error?: string;
}

/** Run named checks one after another, never throwing; for runtime-specific cases beside the shared ones. */
export async function runChecks(
  checks: Record<string, () => Promise<void>>,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check();
      results.push({ name, passed: true });
    } catch (error) {
      results.push({
        name,
        passed: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  return results;
}
