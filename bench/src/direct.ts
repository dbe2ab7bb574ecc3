/**
 * The `direct` scenario: users in pairs, each sender sending to its peer at a fixed rate
 * (open loop). Measures send → peer `message.new` latency, persisted-and-delivered msgs/s,
 * and the server's CPU seconds per 10,000 messages.
 */
import { connectUser as connect, type BenchUser as Peer } from './clients.js';
import type { BenchServer } from './server.js';
import { schedule, summarize } from './stats.js';

export interface DirectOptions {
  readonly pairs: number;
  /** Messages per second over all pairs. */
  readonly rate: number;
  readonly durationMs: number;
}

export async function runDirect(server: BenchServer, options: DirectOptions) {
  const pairs: [Peer, Peer][] = [];
  for (let i = 0; i < options.pairs; i++) {
    pairs.push([await connect(server.url, `d${i}a`), await connect(server.url, `d${i}b`)]);
  }
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  const start = performance.now() + 200;
  for (const [, receiver] of pairs) {
    receiver.ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event === 'message.new')
        latencies.push(performance.now() - start - Number(frame.data.message.content.text));
    });
  }
  const perPair = options.rate / options.pairs;
  const times = schedule(perPair, options.durationMs);
  const cpuBefore = server.cpuSeconds();
  await Promise.all(
    pairs.map(async ([sender, receiver], p) => {
      let id = 0;
      sender.ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        if (frame.id === undefined) return;
        if (frame.ok) acked++;
        else failed++;
      });
      // Spread the pairs over one interval so they do not all fire at once.
      const offset = (p / options.pairs) * (1000 / perPair);
      for (const due of times) {
        const at = due + offset;
        const wait = start + at - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sender.ws.send(
          JSON.stringify({
            id: id++,
            op: 'message.send',
            data: {
              to_user_id: receiver.userId,
              client_msg_id: `p${p}-${id}`,
              type: 'text',
              content: { text: String(at) },
            },
          }),
        );
      }
    }),
  );
  const expected = times.length * options.pairs;
  const deadline = performance.now() + 10_000;
  while (latencies.length < expected && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = server.cpuSeconds() - cpuBefore;
  for (const [a, b] of pairs) {
    a.ws.close();
    b.ws.close();
  }
  return {
    scenario: 'direct',
    pairs: options.pairs,
    target_rate: options.rate,
    duration_s: options.durationMs / 1000,
    sent: expected,
    acked,
    failed,
    delivered: latencies.length,
    delivered_per_s: Math.round(latencies.length / elapsedS),
    latency_ms: summarize(latencies),
    server_cpu_s: Math.round(cpu * 100) / 100,
    server_cpu_s_per_10k:
      latencies.length === 0 ? null : Math.round((cpu / latencies.length) * 10_000 * 100) / 100,
    server_rss_mb: Math.round(server.rssBytes() / 1024 / 1024),
  };
}
