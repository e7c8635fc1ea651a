/**
 * The OpenMetrics text exposition (openmetrics.io, version 1.0.0) of the
 * monitor's counters: `# TYPE` and `# HELP` per family, `_total` samples for
 * counters, label values escaped, and `# EOF` last.
 */

import type { MetricDefinition } from './counters.js';

/** The content type to serve `metrics()` with. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics escapes backslash, double quote and line feed in label values and help text. */
const escape = (text: string): string =>
  text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Render metric families as OpenMetrics text.
 *
 * @example
 * openMetricsText(counters.entries()); // '# TYPE latchkey_sessions_created counter\n…# EOF\n'
 */
export function openMetricsText(
  families: ReadonlyArray<[MetricDefinition, ReadonlyMap<string, number>]>,
): string {
  const lines: string[] = [];
  for (const [def, values] of families) {
    lines.push(`# TYPE ${def.name} ${def.type}`, `# HELP ${def.name} ${escape(def.help)}`);
    const sample = def.type === 'counter' ? `${def.name}_total` : def.name;
    for (const [label, value] of values) {
      const labels = def.labels ? `{${def.labels.name}="${escape(label)}"}` : '';
      lines.push(`${sample}${labels} ${value}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
