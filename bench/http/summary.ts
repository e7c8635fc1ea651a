/**
 * The HTTP table: per row the median requests per second of its rounds with
 * min–max, its share of the bare baseline measured in the same run, the
 * microseconds it adds per request (1/rps − 1/baseline rps, meaningful while
 * the server is CPU-bound), that against its floor's, p99, Set-Cookie, store
 * traffic and the server's CPU share; then the issue's targets, met or missed.
 */

import type { HttpResult } from './run-http.js';

export interface Summary {
  id: string;
  label: string;
  scenario: string;
  kind: string;
  unavailable?: string;
  rps?: { median: number; min: number; max: number };
  ratio?: number;
  addedUs?: number;
  /** addedUs ÷ the floor's addedUs. */
  vsFloor?: number;
  floor?: string;
  baseline?: string;
  p99?: number;
  setCookie: boolean | null;
  traffic?: Record<string, number>;
  serverCpu?: number;
  /** Server CPU µs per request (CPU seconds over requests): holds even when other processes share the core. */
  cpuUs?: number;
  /** cpuUs − the baseline's cpuUs. */
  addedCpuUs?: number;
  /** The baseline's cpuUs ÷ cpuUs: the share of req/s a CPU-bound server would keep. */
  cpuShare?: number;
  /** addedCpuUs ÷ the floor's addedCpuUs. */
  vsFloorCpu?: number;
  failures?: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function summarize(results: HttpResult[]): Summary[] {
  const base = new Map<string, Summary>();
  const out = results.map((r): Summary => {
    const s: Summary = {
      id: r.id,
      label: r.label,
      scenario: r.scenario,
      kind: r.kind,
      setCookie: r.setCookie,
      ...(r.unavailable ? { unavailable: r.unavailable } : {}),
      ...(r.floor ? { floor: r.floor } : {}),
      ...(r.baseline ? { baseline: r.baseline } : {}),
      ...(r.traffic ? { traffic: r.traffic } : {}),
    };
    if (r.runs.length > 0) {
      const rps = r.runs.map((x) => x.rps);
      s.rps = { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) };
      s.p99 = median(r.runs.map((x) => x.p99));
      s.serverCpu = median(r.runs.map((x) => x.serverCpu));
      s.cpuUs = median(r.runs.map((x) => x.cpuUs));
      s.failures = r.runs.reduce((n, x) => n + x.non2xx + x.errors, 0);
    }
    base.set(r.id, s);
    return s;
  });
  for (const s of out) {
    const b = s.baseline ? base.get(s.baseline) : undefined;
    if (!s.rps || !b?.rps) continue;
    s.ratio = s.rps.median / b.rps.median;
    s.addedUs = 1e6 / s.rps.median - 1e6 / b.rps.median;
    s.addedCpuUs = s.cpuUs! - b.cpuUs!;
    s.cpuShare = b.cpuUs! / s.cpuUs!;
  }
  for (const s of out) {
    const f = s.floor ? base.get(s.floor) : undefined;
    if (s.addedUs !== undefined && f?.addedUs !== undefined && f.addedUs > 0)
      s.vsFloor = s.addedUs / f.addedUs;
    if (s.addedCpuUs !== undefined && f?.addedCpuUs !== undefined && f.addedCpuUs > 0)
      s.vsFloorCpu = s.addedCpuUs / f.addedCpuUs;
  }
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const traffic = (t: Record<string, number> | undefined) =>
  t === undefined
    ? ''
    : Object.keys(t).length === 0
      ? 'none'
      : Object.entries(t)
          .sort((a, b) => b[1] - a[1])
          .map(([name, n]) => `${n.toFixed(2)} ${name}`)
          .join(', ');

/** The table, markdown. */
export function httpTable(rows: Summary[]): string {
  const head = [
    'scenario',
    'contender',
    'req/s median (min–max)',
    'share of baseline',
    'added µs/req',
    "added ÷ floor's",
    'p99 ms',
    'Set-Cookie',
    'store traffic / req',
    'server CPU',
    "server CPU µs/req (added, ÷ floor's)",
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  let scenario = '';
  for (const r of rows) {
    const cells = [
      r.scenario === scenario ? '' : r.scenario,
      r.kind === 'baseline' ? `**${r.label}**` : r.label,
      r.unavailable ?? (r.rps ? `${fmt(r.rps.median)} (${fmt(r.rps.min)}–${fmt(r.rps.max)})` : ''),
      r.ratio === undefined
        ? r.kind === 'baseline'
          ? '1 (baseline)'
          : ''
        : r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2),
      r.addedUs === undefined ? '' : r.addedUs.toFixed(1),
      r.vsFloor === undefined ? '' : `${r.vsFloor.toFixed(2)}×`,
      r.p99 === undefined ? '' : String(r.p99),
      r.unavailable ? '' : r.setCookie === null ? '—' : r.setCookie ? 'yes' : 'no',
      traffic(r.traffic),
      r.serverCpu === undefined
        ? ''
        : `${r.serverCpu.toFixed(2)}${r.failures ? ` (${r.failures} non-2xx)` : ''}`,
      r.cpuUs === undefined
        ? ''
        : `${r.cpuUs.toFixed(1)}${r.addedCpuUs === undefined ? '' : ` (${r.addedCpuUs >= 0 ? '+' : ''}${r.addedCpuUs.toFixed(1)}${r.vsFloorCpu === undefined ? '' : `, ${r.vsFloorCpu.toFixed(2)}× floor's`})`}`,
    ];
    scenario = r.scenario;
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface Target {
  target: string;
  /** Judged on req/s, as the issue states its targets. */
  met: boolean | null;
  measured: string;
  /** Judged on server CPU time per request, which other processes on the core disturb less. */
  metCpu: boolean | null;
  measuredCpu: string;
}

/**
 * The issue's targets, each met or missed by this run's numbers: once on
 * req/s and once on server CPU time per request (the same ratios when the
 * server is CPU-bound and alone on its core).
 */
export function targets(rows: Summary[]): Target[] {
  const byRps = judge(rows);
  const byCpu = judge(
    rows.map((r) => ({ ...r, ratio: r.cpuShare, addedUs: r.addedCpuUs, vsFloor: r.vsFloorCpu })),
  );
  return byRps.map((t, i) => ({
    target: t.target,
    met: t.met,
    measured: t.measured,
    metCpu: byCpu[i]!.met,
    measuredCpu: byCpu[i]!.measured,
  }));
}

function judge(rows: Summary[]): Array<{ target: string; met: boolean | null; measured: string }> {
  const by = new Map(rows.map((r) => [r.id, r]));
  const out: Array<{ target: string; met: boolean | null; measured: string }> = [];
  const add = (target: string, met: boolean | null, measured: string) =>
    out.push({ target, met, measured });
  const ratio = (id: string) => by.get(id)?.ratio;
  const r2 = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2));
  const never = by.get('lk-never');
  if (never?.ratio !== undefined)
    add(
      'route that never loads: ≥ 0.85 of bare Hono, no Set-Cookie',
      never.ratio >= 0.85 && never.setCookie === false,
      `${r2(never.ratio)}, Set-Cookie ${never.setCookie ? 'yes' : 'no'}`,
    );
  const mem = ratio('lk-memory');
  const floorMap = ratio('floor-map');
  if (mem !== undefined && floorMap !== undefined)
    add(
      'memory-store read: ≥ 0.565 and ≥ the hand-written floor',
      mem >= 0.565 && mem >= floorMap,
      `${r2(mem)} vs floor ${r2(floorMap)}`,
    );
  for (const r of rows)
    if (r.kind === 'latchkey' && r.floor && r.addedUs !== undefined) {
      const f = by.get(r.floor);
      add(
        `${r.label}: added µs within 1.1× of its floor's`,
        r.vsFloor === undefined ? null : r.vsFloor <= 1.1,
        `${r.addedUs.toFixed(1)} µs vs ${f?.addedUs?.toFixed(1) ?? 'n/a'} µs (${r2(r.vsFloor)}×)`,
      );
    }
  const redis = by.get('lk-redis');
  if (redis?.ratio !== undefined) {
    const t = redis.traffic ?? {};
    const gets = t.get ?? 0;
    const writes = Object.entries(t)
      .filter(([name]) => name !== 'get')
      .reduce((n, [, v]) => n + v, 0);
    add(
      'Redis read: exactly one GET, no write, ≥ the raw-GET floor',
      Math.abs(gets - 1) < 0.01 &&
        writes < 0.01 &&
        redis.ratio >= (ratio('floor-redis') ?? Infinity),
      `${gets.toFixed(2)} GET, ${writes.toFixed(2)} other; ${r2(redis.ratio)} vs floor ${r2(ratio('floor-redis'))}`,
    );
  }
  const cached = ratio('lk-sealed-cached');
  const uncached = ratio('lk-sealed-uncached');
  const hono = ratio('hono-session');
  if (cached !== undefined && uncached !== undefined) {
    add(
      'sealed read, cached: ≥ the cached floor',
      cached >= (ratio('floor-sealed-cache') ?? Infinity),
      `${r2(cached)} vs floor ${r2(ratio('floor-sealed-cache'))}`,
    );
    add(
      'sealed read, uncached: ≥ the decrypt floor',
      uncached >= (ratio('floor-jwe') ?? Infinity),
      `${r2(uncached)} vs floor ${r2(ratio('floor-jwe'))}`,
    );
    if (hono !== undefined)
      add(
        'sealed read: ≥ 2.5× @hono/session',
        cached >= 2.5 * hono && uncached >= 2.5 * hono,
        `cached ${(cached / hono).toFixed(2)}×, uncached ${(uncached / hono).toFixed(2)}×`,
      );
  }
  const ex = ratio('lk-express');
  const es = ratio('express-session');
  if (ex !== undefined && es !== undefined)
    add(
      'Express middleware (native): ≥ 0.80 of bare Express and ≥ 1.25× express-session',
      ex >= 0.8 && ex >= 1.25 * es,
      `${r2(ex)} of bare Express, ${(ex / es).toFixed(2)}× express-session`,
    );
  const compat = ratio('lk-express-compat');
  if (compat !== undefined && es !== undefined)
    add(
      'Express middleware (express-session-compatible): the same',
      compat >= 0.8 && compat >= 1.25 * es,
      `${r2(compat)} of bare Express, ${(compat / es).toFixed(2)}× express-session`,
    );
  return out;
}

export function targetList(list: Target[]): string {
  const mark = (met: boolean | null) => (met === null ? '—' : met ? '✓ met' : '✗ MISSED');
  return list
    .map(
      (t) =>
        `- ${t.target}: by req/s ${mark(t.met)} (${t.measured}); by server CPU time ${mark(t.metCpu)} (${t.measuredCpu})`,
    )
    .join('\n');
}
