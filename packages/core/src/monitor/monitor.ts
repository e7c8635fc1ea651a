/**
 * The session monitor: fed the engines' events, it keeps counts over a
 * sliding window and since start, active sessions per user, and flags
 * anomalies as they happen, with a log line per event and metrics to scrape.
 */

import { systemClock, type Clock } from '../clock.js';
import { toMillis, type Duration } from '../duration.js';
import type { EventSink, SessionEvent, SessionEventType } from '../events.js';
import { cryptoRandom, type RandomSource } from '../random.js';
import { ActiveSessions } from './active-sessions.js';
import { AnomalyRules, type Anomaly } from './anomaly-rules.js';
import { Counters, METRICS } from './counters.js';
import { logLine, saltedHash, writeLine, type LogTarget } from './log-line.js';
import type { Meter } from './meter.js';
import { openMetricsText } from './openmetrics.js';
import { SlidingCounts } from './sliding-window.js';

/** Options for {@link createMonitor}. */
export interface MonitorOptions {
  /** The engines' clock, so windows slide on the same time. Default: the system clock. */
  clock?: Clock;
  /** Span of the sliding window of counts, and the quiet time that ends an anomaly's episode. Default `'5m'`. */
  window?: Duration;
  /** The timeouts after which a session no event ended stops counting as active (an engine's `policy` fits). Default: only events end them. */
  policy?: { idleTimeout: Duration; absoluteTimeout: Duration };
  /** Failed validations (cookies naming no session) from one client that make a burst. Default 10 within `'1m'`. */
  burst?: { threshold?: number; window?: Duration };
  /** One JSON line per event, with its anomalies: a function, or anything with `write`. */
  log?: LogTarget;
  /** Called once per anomaly episode, as it happens. Its failures are swallowed. */
  onAnomaly?: (anomaly: Anomaly) => void | Promise<void>;
  /** An OpenTelemetry `Meter` (or any object with `createCounter` and `createUpDownCounter`). */
  meter?: Meter;
  /** Key of the hash a client's address is logged as. Default: random, drawn once and shared by every monitor in this isolate (so their logs join). */
  salt?: string | Uint8Array;
  /** Anomalies kept for {@link Monitor.view}. Default 100. */
  keepAnomalies?: number;
}

/** Counts by event type. */
export type EventCounts = Partial<Record<SessionEventType, number>>;

/** What the monitor knows at one instant, as JSON. */
export interface MonitorView {
  at: number;
  window: { ms: number; counts: EventCounts };
  totals: EventCounts;
  activeSessions: number;
  users: Array<{ userId: string; sessions: number }>;
  /** The latest anomalies, oldest first. */
  anomalies: Anomaly[];
}

/** The monitor {@link createMonitor} returns. */
export interface Monitor {
  /** Pass as `onEvent` to `createLatchkey`, `createTokenIssuer` and `createSealedSessions` (one monitor, many engines). */
  readonly onEvent: EventSink;
  /** Take one event; returns the anomalies it revealed (already reported). */
  observe(event: SessionEvent): Anomaly[];
  /** Counts per event type over the sliding window ending now. */
  counts(): EventCounts;
  /** Counts per event type since the monitor started. */
  totals(): EventCounts;
  /** Active sessions of `userId`, or of everyone. */
  activeSessions(userId?: string): number;
  /** The latest anomalies, oldest first. */
  anomalies(): Anomaly[];
  view(): MonitorView;
  /** The counters as OpenMetrics text; serve with `application/openmetrics-text; version=1.0.0; charset=utf-8`. */
  metrics(): string;
}

const encoder = new TextEncoder();
let isolateSalt: Uint8Array | undefined;

function positive(value: Duration | undefined, fallback: Duration, field: string): number {
  const ms = toMillis(value ?? fallback);
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new RangeError(
      `createMonitor: ${field} must be a positive duration, got ${String(value)}`,
    );
  return ms;
}

function checkOptions(o: MonitorOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new TypeError('createMonitor: expected an options object');
  const { log, onAnomaly, meter, burst, keepAnomalies } = o;
  if (log !== undefined && typeof log !== 'function' && typeof log?.write !== 'function')
    throw new TypeError('createMonitor: log must be a function or have a write method');
  if (onAnomaly !== undefined && typeof onAnomaly !== 'function')
    throw new TypeError('createMonitor: onAnomaly must be a function');
  if (
    meter !== undefined &&
    (typeof meter?.createCounter !== 'function' || typeof meter?.createUpDownCounter !== 'function')
  )
    throw new TypeError('createMonitor: meter must have createCounter and createUpDownCounter');
  const threshold = burst?.threshold;
  if (threshold !== undefined && (!Number.isInteger(threshold) || threshold < 1))
    throw new RangeError(
      `createMonitor: burst.threshold must be a positive integer, got ${String(threshold)}`,
    );
  if (keepAnomalies !== undefined && (!Number.isInteger(keepAnomalies) || keepAnomalies < 0))
    throw new RangeError(
      `createMonitor: keepAnomalies must be a whole number, got ${String(keepAnomalies)}`,
    );
  if (o.salt !== undefined && typeof o.salt !== 'string' && !(o.salt instanceof Uint8Array))
    throw new TypeError('createMonitor: salt must be a string or a Uint8Array');
}

function saltOf(salt: string | Uint8Array | undefined, random: RandomSource): Uint8Array {
  if (typeof salt === 'string') return encoder.encode(salt);
  if (salt) return salt;
  return (isolateSalt ??= random(32));
}

/**
 * Create a session monitor and pass its `onEvent` to each engine.
 *
 * @example
 * const monitor = createMonitor({ clock, policy: presets.productivity, log: console.log, onAnomaly: page });
 * const latchkey = createLatchkey({ policy: presets.productivity, store, clock, onEvent: monitor.onEvent });
 * app.get('/metrics', () => new Response(monitor.metrics(), { headers: { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' } }));
 */
export function createMonitor(options: MonitorOptions = {}): Monitor {
  checkOptions(options);
  const clock = options.clock ?? systemClock;
  const windowMs = positive(options.window, '5m', 'window');
  const lifetime = options.policy && {
    idleTimeout: positive(options.policy.idleTimeout, 1, 'policy.idleTimeout'),
    absoluteTimeout: positive(options.policy.absoluteTimeout, 1, 'policy.absoluteTimeout'),
  };
  const clientKey = saltedHash(saltOf(options.salt, cryptoRandom));
  const rules = new AnomalyRules({
    window: windowMs,
    burst: {
      threshold: options.burst?.threshold ?? 10,
      window: positive(options.burst?.window, '1m', 'burst.window'),
    },
    retention: lifetime?.absoluteTimeout ?? 24 * 60 * 60 * 1000,
    maxTracked: 10_000,
    clientKey,
  });
  const sliding = new SlidingCounts<SessionEventType>(windowMs);
  const active = new ActiveSessions(lifetime);
  const counters = new Counters(options.meter);
  const keep = options.keepAnomalies ?? 100;
  const recent: Anomaly[] = [];
  let expiredUpTo = Number.NEGATIVE_INFINITY;

  /** Sessions past their deadlines leave the gauge; at most once a second, it walks every session. */
  const expireSessions = (now: number, force = false) => {
    if (!lifetime || (!force && now - expiredUpTo < 1000)) return;
    expiredUpTo = now;
    counters.add(METRICS.activeSessions, -active.expire(now));
  };

  const report = (anomaly: Anomaly) => {
    counters.add(METRICS.anomalies, 1, anomaly.kind);
    recent.push(anomaly);
    if (recent.length > keep) recent.splice(0, recent.length - keep);
    try {
      const result = options.onAnomaly?.(anomaly);
      if (result && typeof result.catch === 'function') result.catch(() => {});
    } catch {
      // An alerting hook that throws must not stop the monitor.
    }
  };

  const observe = (event: SessionEvent): Anomaly[] => {
    if (!event || typeof event.type !== 'string' || !Number.isFinite(event.at)) return [];
    sliding.add(event.type, event.at);
    counters.count(event);
    counters.add(METRICS.activeSessions, active.apply(event));
    expireSessions(event.at);
    const found = rules.check(event);
    for (const anomaly of found) report(anomaly);
    if (options.log) writeLine(options.log, logLine(event, found, clientKey));
    return found;
  };

  const totals = (): EventCounts => {
    const out: EventCounts = {};
    for (const [type, n] of counters.entries().find(([def]) => def === METRICS.events)![1])
      out[type as SessionEventType] = n;
    return out;
  };

  const monitor: Monitor = {
    onEvent: (event) => {
      observe(event);
    },
    observe,
    counts: () => sliding.counts(clock.now()),
    totals,
    activeSessions(userId) {
      expireSessions(clock.now(), true);
      return userId === undefined ? active.size : active.of(userId);
    },
    anomalies: () => [...recent],
    view() {
      const now = clock.now();
      expireSessions(now, true);
      return {
        at: now,
        window: { ms: windowMs, counts: sliding.counts(now) },
        totals: totals(),
        activeSessions: active.size,
        users: active.users(),
        anomalies: [...recent],
      };
    },
    metrics() {
      expireSessions(clock.now(), true);
      return openMetricsText(counters.entries());
    },
  };
  return monitor;
}
