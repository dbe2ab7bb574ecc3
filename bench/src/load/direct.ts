/**
 * `direct`: users in pairs, each sender sending to its peer at a fixed rate (open loop).
 * Measures send → peer delivery latency and delivered msgs/s. Against the bare relay the same
 * frames are forwarded without parsing or storage: the floor.
 */
import { connectRelay, connectUser, deliveredText, inBatches } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { schedule, summarize } from '../stats.js';

export interface DirectParams {
  readonly pairs: number;
  /** Messages per second over all pairs. */
  readonly rate: number;
  readonly durationMs: number;
  readonly target: 'parley' | 'relay';
}

export async function runDirect(ctx: LoadContext, p: DirectParams): Promise<ScenarioResult> {
  const pairs = await inBatches(
    Array.from({ length: p.pairs }, (_, i) => i),
    20,
    async (i) =>
      p.target === 'relay'
        ? ([
            await connectRelay(ctx.url, `a${i}`, `b${i}`),
            await connectRelay(ctx.url, `b${i}`, `a${i}`),
          ] as const)
        : ([await connectUser(ctx.url), await connectUser(ctx.url)] as const),
  );
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  const perPair = p.rate / p.pairs;
  const times = schedule(perPair, p.durationMs);
  const start = performance.now() + 300;
  for (const [sender, receiver] of pairs) {
    receiver.ws.on('message', (raw) => {
      const text = deliveredText(raw);
      if (text !== undefined) latencies.push(performance.now() - start - Number(text));
    });
    sender.ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { id?: unknown; ok?: boolean };
      if (frame.id === undefined || frame.id === null) return;
      if (frame.ok) acked++;
      else failed++;
    });
  }
  await ctx.mark('start');
  await Promise.all(
    pairs.map(async ([sender, receiver], index) => {
      let id = 0;
      const offset = (index / p.pairs) * (1000 / perPair);
      for (const due of times) {
        const at = due + offset;
        const wait = start + at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sender.ws.send(
          JSON.stringify({
            id: id++,
            op: 'message.send',
            data: {
              to_user_id: receiver.userId,
              client_msg_id: `p${index}-${id}`,
              type: 'text',
              content: { text: String(at) },
            },
          }),
        );
      }
    }),
  );
  const expected = times.length * p.pairs;
  const deadline = performance.now() + 10_000;
  while (latencies.length < expected && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const elapsedS = (performance.now() - start) / 1000;
  await ctx.mark('end');
  for (const [a, b] of pairs) {
    a.ws.close();
    b.ws.close();
  }
  const s = summarize(latencies);
  return {
    scenario: p.target === 'relay' ? 'direct-floor' : 'direct',
    clients: p.pairs * 2,
    target_rate: p.rate,
    duration_s: p.durationMs / 1000,
    sent: expected,
    acked: p.target === 'relay' ? undefined : acked,
    failed,
    delivered: latencies.length,
    msgs_per_s: Math.round(latencies.length / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  };
}
