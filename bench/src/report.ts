/** Scenario output: a human table on stdout, one JSON line, and the line appended to a file. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Measured } from './pool.js';

export type Line = Record<string, unknown>;

/** Adds what the harness measured of the server to the load's result. */
export function withServer(server: string, m: Measured): Line {
  const r = m.result;
  const cpu = round(m.cpuSeconds, 3);
  const line: Line = {
    ...r,
    server,
    server_cpu_s: cpu,
    server_rss_mb: round(m.rssAfterBytes / 1024 / 1024, 1),
  };
  if (r.delivered > 0) {
    line.server_cpu_s_per_10k = round((m.cpuSeconds / r.delivered) * 10_000, 3);
    line.server_cpu_us_per_delivery = round((m.cpuSeconds / r.delivered) * 1e6, 2);
    if (typeof r.client_cpu_s === 'number')
      line.client_cpu_s_per_10k = round((r.client_cpu_s / r.delivered) * 10_000, 3);
  }
  if (r.scenario === 'connect' && r.clients > 0) {
    line.rss_per_connection_kib = round((m.rssAfterBytes - m.rssBeforeBytes) / r.clients / 1024, 2);
  }
  return line;
}

export function report(line: Line, resultsFile: string): void {
  const keys = Object.keys(line);
  const width = Math.max(...keys.map((k) => k.length));
  const text = (v: unknown) =>
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  const rows = keys.map((k) => `  ${k.padEnd(width)}  ${text(line[k])}`);
  process.stdout.write(`\n${String(line.scenario)} (${String(line.server)})\n${rows.join('\n')}\n`);
  const json = JSON.stringify({ at: new Date().toISOString(), ...line });
  process.stdout.write(`${json}\n`);
  mkdirSync(dirname(resultsFile), { recursive: true });
  appendFileSync(resultsFile, `${json}\n`);
}

export const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
