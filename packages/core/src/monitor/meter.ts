/**
 * The OpenTelemetry meter the monitor reports to when one is given, as a
 * structural type: `@opentelemetry/api`'s `Meter` fits it, and so does any
 * object with the same two methods. No dependency is taken.
 */

/** Attributes on a measurement: label names to values. */
export type MeterAttributes = Record<string, string>;

/** An instrument that adds: a counter (only up) or an up-down counter. */
export interface MeterInstrument {
  add(value: number, attributes?: MeterAttributes): void;
}

/** Instrument options, as OpenTelemetry takes them. */
export interface MeterInstrumentOptions {
  description?: string;
  unit?: string;
}

/**
 * The part of an OpenTelemetry `Meter` the monitor uses.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * const monitor = createMonitor({ meter: metrics.getMeter('latchkey') });
 */
export interface Meter {
  createCounter(name: string, options?: MeterInstrumentOptions): MeterInstrument;
  createUpDownCounter(name: string, options?: MeterInstrumentOptions): MeterInstrument;
}
