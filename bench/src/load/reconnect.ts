/**
 * `reconnect`: K clients in a world conversation drop at once, miss traffic, reconnect at once
 * and catch up by seq. Measures the time until every client is current and checks nothing is
 * lost.
 */
import type WebSocket from 'ws';
import { connectUser, inBatches, openSocket, type BenchUser } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { summarize } from '../stats.js';

export interface ReconnectParams {
  readonly clients: number;
  readonly missed: number;
}

/** One request over a socket, answered by id. */
function request(
  ws: WebSocket,
  id: string,
  op: string,
  data: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ ok: boolean; data: any }> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const frame = JSON.parse(raw.toString());
      if (frame.id !== id) return;
      ws.off('message', onMessage);
      resolve(frame);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, op, data }));
  });
}

export async function runReconnect(ctx: LoadContext, p: ReconnectParams): Promise<ScenarioResult> {
  const world = `w_lobby`;
  const writer = await connectUser(ctx.url);
  const join = (u: BenchUser) =>
    fetch(`${ctx.url}/v1/conversations/${world}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}` },
    });
  await join(writer);
  const users = await inBatches(
    Array.from({ length: p.clients }, (_, i) => i),
    50,
    async () => {
      const u = await connectUser(ctx.url);
      await join(u);
      return u;
    },
  );
  // Everyone notes where they are, then drops.
  const { data } = await request(writer.ws, 'list', 'conversation.get', { conversation_id: world });
  const seen = data.conversation.max_seq as number;
  for (const u of users) u.ws.terminate();
  for (let i = 0; i < p.missed; i++) {
    await request(writer.ws, `w${i}`, 'message.send', {
      conversation_id: world,
      client_msg_id: `missed${i}`,
      type: 'text',
      content: { text: `m${i}` },
    });
  }
  await ctx.mark('start');
  const started = performance.now();
  const times: number[] = [];
  let lost = 0;
  await inBatches(users, p.clients, async (u, index) => {
    const ws = await openSocket(ctx.url, u.token);
    let after = seen;
    let got = 0;
    for (let page = 0; ; page++) {
      const reply = await request(ws, `h${index}-${page}`, 'message.history', {
        conversation_id: world,
        after_seq: after,
        limit: 100,
      });
      const messages = reply.data.messages as { seq: number }[];
      got += messages.length;
      after = messages.at(-1)?.seq ?? after;
      if (!reply.data.has_more) break;
    }
    if (got !== p.missed) lost++;
    times.push(performance.now() - started);
    ws.terminate();
  });
  const elapsedS = (performance.now() - started) / 1000;
  await ctx.mark('end');
  writer.ws.close();
  const s = summarize(times);
  return {
    scenario: 'reconnect',
    clients: p.clients,
    sent: p.missed,
    delivered: p.missed * (p.clients - lost),
    msgs_per_s: Math.round((p.missed * p.clients) / elapsedS),
    all_current_ms: Math.round(elapsedS * 1000),
    clients_with_loss: lost,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  };
}
