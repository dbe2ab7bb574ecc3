/** Parley/ejabberd ratio lines (pure: from the scenario lines both servers produced). */
import type { Line } from '../report.js';

/** The latency bound a rate must stay under to count as sustained. */
export const P99_BOUND_MS = 50;

/** a / b to two decimals; null unless both are finite numbers and b > 0. */
export function ratio(a: unknown, b: unknown): number | null {
  const x = Number(a);
  const y = Number(b);
  if (a === null || a === undefined || b === null || b === undefined) return null;
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? Math.round((x / y) * 100) / 100 : null;
}

/**
 * The rates of the comparison: from `from` up to `cap` in steps of √2 (so every other step
 * doubles), rounded to hundreds: the highest sustained rate is known to within 41%.
 */
export function ladder(from: number, cap: number): number[] {
  const rates: number[] = [];
  for (let k = 0; ; k++) {
    const rate = Math.round((from * Math.SQRT2 ** k) / 100) * 100;
    if (rate > cap) return rates;
    rates.push(rate);
  }
}

/** A direct run kept up: every message delivered, none failed, p99 within the bound. */
export function sustained(line: Line, boundMs = P99_BOUND_MS): boolean {
  return (
    Number(line.delivered) >= Number(line.sent) &&
    Number(line.failed ?? 0) === 0 &&
    Number(line.p99_ms) <= boundMs
  );
}

/** Both servers at one rate: delivered msgs/s, latency, and server CPU per message. */
export function directRatio(parley: Line, ejabberd: Line, boundMs = P99_BOUND_MS): Line {
  return {
    scenario: 'peer-ratio',
    kind: 'direct',
    server: 'parley/ejabberd',
    target_rate: parley.target_rate,
    msgs_per_s_ratio: ratio(parley.msgs_per_s, ejabberd.msgs_per_s),
    parley_msgs_per_s: parley.msgs_per_s,
    ejabberd_msgs_per_s: ejabberd.msgs_per_s,
    parley_p99_ms: parley.p99_ms,
    ejabberd_p99_ms: ejabberd.p99_ms,
    parley_sustained: sustained(parley, boundMs),
    ejabberd_sustained: sustained(ejabberd, boundMs),
    // Below 1: Parley spends less server CPU per message.
    cpu_per_10k_ratio: ratio(parley.server_cpu_s_per_10k, ejabberd.server_cpu_s_per_10k),
    // Above 1: Parley handles more messages per server CPU-second.
    msgs_per_cpu_s_ratio: ratio(ejabberd.server_cpu_s_per_10k, parley.server_cpu_s_per_10k),
    parley_cpu_s_per_10k: parley.server_cpu_s_per_10k,
    ejabberd_cpu_s_per_10k: ejabberd.server_cpu_s_per_10k,
    parley_client_cpu_s_per_10k: parley.client_cpu_s_per_10k,
    ejabberd_client_cpu_s_per_10k: ejabberd.client_cpu_s_per_10k,
  };
}

/** The highest rate of a ladder that was sustained, and its line. */
export function maxSustained(lines: readonly Line[], boundMs = P99_BOUND_MS): Line | undefined {
  return lines
    .filter((l) => sustained(l, boundMs))
    .reduce<Line | undefined>(
      (best, l) =>
        best === undefined || Number(l.target_rate) > Number(best.target_rate) ? l : best,
      undefined,
    );
}

/**
 * The summary of the rate ladder: the highest rate each server sustained with p99 within
 * the bound (`*_capped` when that was the ladder's top, so the true limit is higher), the
 * ratio of the msgs/s delivered there, and server CPU per message at the highest rate both
 * sustained.
 */
export function ladderSummary(
  parley: readonly Line[],
  ejabberd: readonly Line[],
  cap: number,
  boundMs = P99_BOUND_MS,
): Line {
  const p = maxSustained(parley, boundMs);
  const e = maxSustained(ejabberd, boundMs);
  const rate = (l: Line | undefined) => (l === undefined ? 0 : Number(l.target_rate));
  const common = Math.min(rate(p), rate(e));
  const at = (lines: readonly Line[]) => lines.find((l) => Number(l.target_rate) === common);
  const pc = at(parley);
  const ec = at(ejabberd);
  return {
    scenario: 'peer-ratio',
    kind: 'direct-max-rate',
    server: 'parley/ejabberd',
    p99_bound_ms: boundMs,
    parley_max_rate: rate(p),
    ejabberd_max_rate: rate(e),
    parley_capped: rate(p) >= cap,
    ejabberd_capped: rate(e) >= cap,
    max_rate_ratio: ratio(rate(p), rate(e)),
    parley_msgs_per_s: p?.msgs_per_s ?? 0,
    ejabberd_msgs_per_s: e?.msgs_per_s ?? 0,
    msgs_per_s_ratio: ratio(p?.msgs_per_s ?? 0, e?.msgs_per_s ?? 0),
    common_rate: common,
    cpu_per_10k_ratio_at_common_rate:
      pc && ec ? ratio(pc.server_cpu_s_per_10k, ec.server_cpu_s_per_10k) : null,
  };
}

/** Both servers holding N idle sessions: memory per session, connect rate and CPU. */
export function connectRatio(parley: Line, ejabberd: Line): Line {
  return {
    scenario: 'peer-ratio',
    kind: 'connect',
    server: 'parley/ejabberd',
    clients: parley.clients,
    // Below 1: a Parley session takes less server memory.
    rss_per_connection_ratio: ratio(parley.rss_per_connection_kib, ejabberd.rss_per_connection_kib),
    parley_rss_per_connection_kib: parley.rss_per_connection_kib,
    ejabberd_rss_per_connection_kib: ejabberd.rss_per_connection_kib,
    connects_per_s_ratio: ratio(parley.connects_per_s, ejabberd.connects_per_s),
    parley_connects_per_s: parley.connects_per_s,
    ejabberd_connects_per_s: ejabberd.connects_per_s,
    cpu_per_10k_connects_ratio: ratio(parley.server_cpu_s_per_10k, ejabberd.server_cpu_s_per_10k),
    parley_connect_p99_ms: parley.p99_ms,
    ejabberd_connect_p99_ms: ejabberd.p99_ms,
  };
}
