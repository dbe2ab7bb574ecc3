/**
 * `direct`: users in pairs, each sender sending to its peer at a fixed rate (open loop).
 * Measures send → peer delivery latency and delivered msgs/s. Against the bare relay the same
 * frames are forwarded without parsing or storage: the floor.
 */
import { connectRelay, connectUser, deliveredText, inBatches, replyOutcome } from './clients.js';
import { gatewayFor, type LoadContext, type ScenarioResult } from './context.js';
import WebSocket from 'ws';
import { schedule, summarize } from '../stats.js';

export interface DirectParams {
  readonly pairs: number;
  /** Messages per second over all pairs. */
  readonly rate: number;
  readonly durationMs: number;
  readonly target: 'parley' | 'relay';
  /** Sent at the same rate before the measured run (default 1 s). */
  readonly warmUpMs?: number;
}

const WARM_UP_MS = 1_000;

export interface Pair {
  readonly ws: WebSocket;
  readonly userId?: string;
}

export interface Phase {
  readonly latencies: number[];
  readonly expected: number;
  readonly acked: number;
  readonly failed: number;
  readonly elapsedS: number;
  /** The first error reply's text, if any (for a failed warm-up's message). */
  readonly firstError?: string;
}

/** One open-loop phase: every pair sends `rate / pairs` msgs/s for `durationMs`. */
export async function drive(
  pairs: readonly (readonly [Pair, Pair])[],
  rate: number,
  durationMs: number,
  tag: string,
): Promise<Phase> {
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  let firstError: string | undefined;
  const perPair = rate / pairs.length;
  const times = schedule(perPair, durationMs);
  const start = performance.now() + 300;
  const onDelivery = (raw: WebSocket.RawData) => {
    const text = deliveredText(raw);
    if (text !== undefined) latencies.push(performance.now() - start - Number(text));
  };
  const onReply = (raw: WebSocket.RawData) => {
    const outcome = replyOutcome(raw);
    if (outcome === 'ok') acked++;
    else if (outcome === 'error') {
      failed++;
      firstError ??= (raw as Buffer).subarray(0, 300).toString();
    }
  };
  for (const [sender, receiver] of pairs) {
    receiver.ws.on('message', onDelivery);
    sender.ws.on('message', onReply);
  }
  await Promise.all(
    pairs.map(async ([sender, receiver], index) => {
      let id = 0;
      const offset = (index / pairs.length) * (1000 / perPair);
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
              client_msg_id: `${tag}${index}-${id}`,
              type: 'text',
              content: { text: String(at) },
            },
          }),
        );
      }
    }),
  );
  const expected = times.length * pairs.length;
  const deadline = performance.now() + 10_000;
  while (latencies.length < expected && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const elapsedS = (performance.now() - start) / 1000;
  for (const [sender, receiver] of pairs) {
    receiver.ws.off('message', onDelivery);
    sender.ws.off('message', onReply);
  }
  return { latencies, expected, acked, failed, elapsedS, ...(firstError && { firstError }) };
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
        : // Round-robin: with two gateways, each pair's users are on different ones, and
          // every other pair sends from the second gateway.
          ([
            await connectUser(ctx.url, gatewayFor(ctx, i)),
            await connectUser(ctx.url, gatewayFor(ctx, i + 1)),
          ] as const),
  );
  await ctx.mark('settle');
  // A warm-up second at the same rate, not measured: conversations are created, caches and
  // the JIT warm, and what follows is the sustained behaviour the scenario reports.
  const warmUp = await drive(pairs, p.rate, p.warmUpMs ?? WARM_UP_MS, 'w');
  if (warmUp.latencies.length < warmUp.expected) {
    const closed = pairs.flat().filter((u) => u.ws.readyState !== WebSocket.OPEN).length;
    throw new Error(
      `direct warm-up: ${warmUp.latencies.length}/${warmUp.expected} delivered, ` +
        `${warmUp.acked} acked, ${warmUp.failed} refused${warmUp.firstError === undefined ? '' : ` (first: ${warmUp.firstError})`}, ` +
        `${closed} of ${pairs.length * 2} sockets closed`,
    );
  }
  await ctx.mark('start');
  const run = await drive(pairs, p.rate, p.durationMs, 'm');
  await ctx.mark('end');
  for (const [a, b] of pairs) {
    a.ws.close();
    b.ws.close();
  }
  const { latencies, expected, acked, failed, elapsedS } = run;
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
