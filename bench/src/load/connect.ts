/** `connect`: N idle authenticated connections: connect rate, and (by the harness) RSS per connection. */
import type WebSocket from 'ws';
import { inBatches, openSocket, signUp } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { summarize } from '../stats.js';

export interface ConnectParams {
  readonly connections: number;
  readonly concurrency: number;
}

export async function runConnect(ctx: LoadContext, p: ConnectParams): Promise<ScenarioResult> {
  // Accounts first (not measured), then the authenticated connects.
  const tokens = await inBatches(
    Array.from({ length: p.connections }, (_, i) => i),
    50,
    () => signUp(ctx.url),
  );
  const latencies: number[] = [];
  await ctx.mark('start');
  const started = performance.now();
  const sockets: WebSocket[] = await inBatches(tokens, p.concurrency, async ({ token }) => {
    const t0 = performance.now();
    const ws = await openSocket(ctx.url, token);
    latencies.push(performance.now() - t0);
    return ws;
  });
  const elapsedS = (performance.now() - started) / 1000;
  // Idle for a moment so the server's memory settles before the harness reads it.
  await new Promise((r) => setTimeout(r, 1_000));
  await ctx.mark('end');
  for (const ws of sockets) ws.terminate();
  const s = summarize(latencies);
  return {
    scenario: 'connect',
    clients: p.connections,
    sent: p.connections,
    delivered: sockets.length,
    msgs_per_s: 0,
    connects_per_s: Math.round(sockets.length / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  };
}
