/**
 * `group`: one group of M members, all online, one sender posting at a fixed rate. Measures
 * deliveries/s and, per message, the time until the last member has it. Against the bare
 * relay the owner's frames are broadcast to every member: the floor.
 */
import { connectRelay, connectUser, deliveredText, inBatches, type BenchUser } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { schedule, summarize } from '../stats.js';

export interface GroupParams {
  readonly members: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly target: 'parley' | 'relay';
}

export async function runGroup(ctx: LoadContext, p: GroupParams): Promise<ScenarioResult> {
  const relay = p.target === 'relay';
  const owner = relay ? await connectRelay(ctx.url, 'owner', 'all') : await connectUser(ctx.url);
  const members: BenchUser[] = await inBatches(
    Array.from({ length: p.members - 1 }, (_, i) => i),
    20,
    (i) => (relay ? connectRelay(ctx.url, `m${i}`, 'none') : connectUser(ctx.url)),
  );
  let conversationId = 'relay';
  if (!relay) {
    const res = await fetch(`${ctx.url}/v1/groups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ name: 'bench', member_ids: members.map((m) => m.userId) }),
    });
    if (!res.ok) throw new Error(`group creation failed: ${res.status} ${await res.text()}`);
    conversationId = ((await res.json()) as { group: { conversation_id: string } }).group
      .conversation_id;
    await new Promise((r) => setTimeout(r, 300)); // the subscriptions land on the live sockets
  }
  const times = schedule(p.rate, p.durationMs);
  const last = new Array<number>(times.length).fill(0);
  const arrivals = new Array<number>(times.length).fill(0);
  let deliveries = 0;
  const start = performance.now() + 300;
  for (const member of members) {
    member.ws.on('message', (raw) => {
      const text = deliveredText(raw);
      if (text === undefined) return;
      const index = Number(text);
      deliveries++;
      arrivals[index] = (arrivals[index] ?? 0) + 1;
      last[index] = performance.now() - start - (times[index] ?? 0);
    });
  }
  await ctx.mark('start');
  for (let i = 0; i < times.length; i++) {
    const wait = start + (times[i] ?? 0) - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    owner.ws.send(
      JSON.stringify({
        id: i,
        op: 'message.send',
        data: {
          conversation_id: conversationId,
          client_msg_id: `g${i}`,
          type: 'text',
          content: { text: String(i) },
        },
      }),
    );
  }
  const expected = times.length * members.length;
  const deadline = performance.now() + 15_000;
  while (deliveries < expected && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const elapsedS = (performance.now() - start) / 1000;
  await ctx.mark('end');
  for (const m of [owner, ...members]) m.ws.close();
  const s = summarize(last.filter((_, i) => arrivals[i] === members.length));
  return {
    scenario: relay ? 'group-floor' : 'group',
    clients: p.members,
    target_rate: p.rate,
    sent: times.length,
    delivered: deliveries,
    expected_deliveries: expected,
    msgs_per_s: Math.round(deliveries / elapsedS),
    deliveries_per_s: Math.round(deliveries / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    last_member_p99_ms: s.p99,
  };
}
