/**
 * The monitor's counters since start, named once for both exports: the
 * OpenMetrics text (`latchkey_sessions_created_total`) and an OpenTelemetry
 * meter (`latchkey.sessions.created`), which gets every change as it happens.
 */

import type { SessionEvent } from '../events.js';
import type { AnomalyKind } from './anomaly-rules.js';
import type { Meter, MeterAttributes, MeterInstrument } from './meter.js';

/** One metric: its OpenMetrics family name, OpenTelemetry name, type, help and label values always shown. */
export interface MetricDefinition {
  name: string;
  otel: string;
  type: 'counter' | 'gauge';
  help: string;
  /** A label and the values reported even at zero, so a dashboard's series exist from the start. */
  labels?: { name: string; always: readonly string[] };
}

export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  'used-after-logout',
  'used-after-revocation',
  'refresh-reuse',
  'remember-me-theft',
  'stale-record',
  'validation-burst',
  'over-session-limit',
  'device-binding-theft',
  'token-binding-theft',
];

const counter = (
  name: string,
  help: string,
  labels?: MetricDefinition['labels'],
): MetricDefinition => ({
  name: `latchkey_${name}`,
  otel: `latchkey.${name.replace('_', '.')}`,
  type: 'counter',
  help,
  ...(labels && { labels }),
});

export const METRICS = {
  created: counter(
    'sessions_created',
    'Sessions issued: logins, anonymous starts and remember-me sign-ins.',
  ),
  expired: counter('sessions_expired', 'Sessions found past a deadline, by which one.', {
    name: 'reason',
    always: ['idle', 'absolute'],
  }),
  loggedOut: counter('sessions_logged_out', 'Sessions ended by logout.'),
  revoked: counter(
    'sessions_revoked',
    'Sessions ended by revocation, one by one or log out everywhere.',
  ),
  evicted: counter('sessions_evicted', 'Sessions evicted by the per-user session limit.'),
  tokensIssued: counter('tokens_issued', 'Refresh-token families started.'),
  tokensRefreshed: counter('tokens_refreshed', 'Successful refresh-token rotations.'),
  anomalies: counter('anomalies', 'Anomalies flagged, each once per episode, by kind.', {
    name: 'kind',
    always: ANOMALY_KINDS,
  }),
  storeErrors: counter('store_errors', 'Failed store operations, by error code.', {
    name: 'code',
    always: [],
  }),
  events: counter('events', 'Engine events received, by type.', { name: 'type', always: [] }),
  activeSessions: {
    name: 'latchkey_active_sessions',
    otel: 'latchkey.sessions.active',
    type: 'gauge',
    help: 'Signed-in sessions live as far as the events show.',
  },
} satisfies Record<string, MetricDefinition>;

/**
 * Counter values by metric, then by label value (`''` when the metric has no label).
 *
 * @example
 * const counters = new Counters(meter);
 * counters.count(event);
 * counters.value(METRICS.expired, 'idle');
 */
export class Counters {
  readonly #values = new Map<MetricDefinition, Map<string, number>>();
  readonly #instruments = new Map<MetricDefinition, MeterInstrument>();

  constructor(private readonly meter: Meter | undefined) {
    for (const def of Object.values(METRICS) as MetricDefinition[]) {
      this.#values.set(def, new Map((def.labels?.always ?? ['']).map((v) => [v, 0])));
      if (!meter) continue;
      const options = { description: def.help };
      this.#instruments.set(
        def,
        def.type === 'gauge'
          ? meter.createUpDownCounter(def.otel, options)
          : meter.createCounter(def.otel, options),
      );
    }
  }

  /** Add `by` (a gauge may go down) to `def`, under `label` when it has one. */
  add(def: MetricDefinition, by: number, label = ''): void {
    if (by === 0) return;
    const values = this.#values.get(def)!;
    values.set(label, (values.get(label) ?? 0) + by);
    const attributes: MeterAttributes | undefined = def.labels
      ? { [def.labels.name]: label }
      : undefined;
    try {
      this.#instruments.get(def)?.add(by, attributes);
    } catch {
      // A broken meter must not break the monitor.
    }
  }

  /** Count what one event says. */
  count(e: SessionEvent): void {
    this.add(METRICS.events, 1, e.type);
    switch (e.type) {
      case 'created':
        return this.add(METRICS.created, 1);
      case 'regenerated':
        // A login over a previous session issues a new one; a privilege change moves the same session.
        return e.cause === 'login' ? this.add(METRICS.created, 1) : undefined;
      case 'remember-me-used':
        return e.shared ? undefined : this.add(METRICS.created, 1);
      case 'expired':
        return this.add(METRICS.expired, 1, e.reason);
      case 'logout':
        return this.add(METRICS.loggedOut, 1);
      case 'revoked':
        return this.add(METRICS.revoked, 1);
      case 'revoke-all':
        return this.add(METRICS.revoked, e.count);
      case 'evicted':
        return this.add(METRICS.evicted, 1);
      case 'token-issued':
        return this.add(METRICS.tokensIssued, 1);
      case 'token-refreshed':
        return this.add(METRICS.tokensRefreshed, 1);
      case 'store-error':
        return this.add(METRICS.storeErrors, 1, e.code);
      default:
        return undefined;
    }
  }

  /** Every metric with its values, in definition order. */
  entries(): Array<[MetricDefinition, ReadonlyMap<string, number>]> {
    return [...this.#values];
  }

  value(def: MetricDefinition, label = ''): number {
    return this.#values.get(def)?.get(label) ?? 0;
  }
}
