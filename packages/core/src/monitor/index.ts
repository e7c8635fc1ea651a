/**
 * @latchkey/core/monitor: the session monitor. Fed the engines' events, it
 * keeps windowed counts, active sessions per user and anomalies, writes a
 * JSON log line per event, and exports OpenMetrics text or to a meter.
 */
export {
  createMonitor,
  type Monitor,
  type MonitorOptions,
  type MonitorView,
  type EventCounts,
} from './monitor.js';
export type { Anomaly, AnomalyKind } from './anomaly-rules.js';
export type { Meter, MeterInstrument, MeterInstrumentOptions, MeterAttributes } from './meter.js';
export type { LogTarget } from './log-line.js';
