/** `history`: paged history reads per second while writers keep sending. */
import type WebSocket from 'ws';
import { connectUser, inBatches } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { summarize } from '../stats.js';

export interface HistoryParams {
  readonly readers: number;
  readonly writeRate: number;
  readonly prefill: number;
  readonly durationMs: number;
}

export async function runHistory(ctx: LoadContext, p: HistoryParams): Promise<ScenarioResult> {
  const writer = await connectUser(ctx.url);
  const readers = await inBatches(
    Array.from({ length: p.readers }, (_, i) => i),
    20,
    () => connectUser(ctx.url),
  );
  const res = await fetch(`${ctx.url}/v1/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.token}` },
    body: JSON.stringify({ name: 'history', member_ids: readers.map((r) => r.userId) }),
  });
  const conversation = ((await res.json()) as { group: { conversation_id: string } }).group
    .conversation_id;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pending = new Map<string, (frame: any) => void>();
  const track = (ws: WebSocket) =>
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      const resolve = frame.id === undefined ? undefined : pending.get(frame.id);
      if (resolve) {
        pending.delete(frame.id);
        resolve(frame);
      }
    });
  track(writer.ws);
  for (const r of readers) track(r.ws);
  let n = 0;
  const call = (ws: WebSocket, op: string, data: unknown) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    new Promise<any>((resolve) => {
      const id = `q${n++}`;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, op, data }));
    });
  for (let i = 0; i < p.prefill; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        call(writer.ws, 'message.send', {
          conversation_id: conversation,
          client_msg_id: `pre${i + j}`,
          type: 'text',
          content: { text: `prefill ${i + j}` },
        }),
      ),
    );
  }
  await ctx.mark('start');
  const started = performance.now();
  const stopAt = started + p.durationMs;
  const latencies: number[] = [];
  let writes = 0;
  const writing = (async () => {
    while (performance.now() < stopAt) {
      void call(writer.ws, 'message.send', {
        conversation_id: conversation,
        client_msg_id: `live${writes++}`,
        type: 'text',
        content: { text: 'live' },
      });
      await new Promise((r) => setTimeout(r, 1000 / p.writeRate));
    }
  })();
  await Promise.all(
    readers.map(async (r) => {
      let before: number | undefined;
      while (performance.now() < stopAt) {
        const t0 = performance.now();
        const reply = await call(r.ws, 'message.history', {
          conversation_id: conversation,
          limit: 50,
          ...(before !== undefined && { before_seq: before }),
        });
        latencies.push(performance.now() - t0);
        const first = reply.data.messages[0]?.seq as number | undefined;
        before = reply.data.has_more && first !== undefined ? first : undefined;
      }
    }),
  );
  await writing;
  const elapsedS = (performance.now() - started) / 1000;
  await ctx.mark('end');
  for (const ws of [writer.ws, ...readers.map((r) => r.ws)]) ws.close();
  const s = summarize(latencies);
  return {
    scenario: 'history',
    clients: p.readers + 1,
    sent: writes,
    delivered: latencies.length,
    msgs_per_s: Math.round(latencies.length / elapsedS),
    reads_per_s: Math.round(latencies.length / elapsedS),
    write_rate: p.writeRate,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  };
}
