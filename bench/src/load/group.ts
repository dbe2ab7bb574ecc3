/**
 * `group`: one group of M members, of which N are online (all by default), one sender posting
 * at a fixed rate. Measures deliveries/s and, per message, the time until the last online
 * member has it. Against the bare relay the owner's frames are broadcast to every member: the
 * floor.
 */
import {
  connectRelay,
  connectUser,
  deliveredText,
  inBatches,
  signUp,
  type BenchUser,
} from './clients.js';
import { gatewayFor, type LoadContext, type ScenarioResult } from './context.js';
import { schedule, summarize } from '../stats.js';

export interface GroupParams {
  readonly members: number;
  /** Members with an open socket, the sender included; the rest only exist. Default: all. */
  readonly online?: number;
  readonly rate: number;
  readonly durationMs: number;
  /** An unmeasured phase at the same rate first (JIT, caches, the first size read). */
  readonly warmUpMs?: number;
  readonly target: 'parley' | 'relay';
}

/** One open-loop run of the sender; texts are `prefix` + the message's index. */
interface Phase {
  readonly prefix: string;
  readonly times: readonly number[];
  readonly start: number;
  /** Per message: ms from when it was due until its latest delivery so far. */
  readonly last: number[];
  readonly arrivals: number[];
  deliveries: number;
}

export async function runGroup(ctx: LoadContext, p: GroupParams): Promise<ScenarioResult> {
  const relay = p.target === 'relay';
  const setupStart = performance.now();
  const online = Math.min(p.online ?? p.members, p.members);
  const owner = relay
    ? await connectRelay(ctx.url, 'owner', 'all')
    : await connectUser(ctx.url, gatewayFor(ctx, 0));
  const members: BenchUser[] = await inBatches(
    Array.from({ length: online - 1 }, (_, i) => i),
    20,
    (i) =>
      relay ? connectRelay(ctx.url, `m${i}`, 'none') : connectUser(ctx.url, gatewayFor(ctx, i + 1)),
  );
  let conversationId = 'relay';
  if (!relay) {
    const offline = await inBatches(
      Array.from({ length: p.members - online }, (_, i) => i),
      20,
      async () => (await signUp(ctx.url)).userId,
    );
    conversationId = await createGroup(ctx.url, owner.token, [
      ...members.map((m) => m.userId),
      ...offline,
    ]);
    await new Promise((r) => setTimeout(r, 300)); // the subscriptions land on the live sockets
  }
  let current: Phase | undefined;
  for (const member of members) {
    member.ws.on('message', (raw) => {
      const text = deliveredText(raw);
      const phase = current;
      if (text === undefined || phase === undefined || !text.startsWith(phase.prefix)) return;
      const index = Number(text.slice(phase.prefix.length));
      phase.deliveries++;
      phase.arrivals[index] = (phase.arrivals[index] ?? 0) + 1;
      phase.last[index] = performance.now() - phase.start - (phase.times[index] ?? 0);
    });
  }
  const drive = async (prefix: string, durationMs: number) => {
    const times = schedule(p.rate, durationMs);
    const phase: Phase = {
      prefix,
      times,
      start: performance.now() + 300,
      last: new Array<number>(times.length).fill(0),
      arrivals: new Array<number>(times.length).fill(0),
      deliveries: 0,
    };
    current = phase;
    for (let i = 0; i < times.length; i++) {
      const wait = phase.start + (times[i] ?? 0) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      owner.ws.send(
        JSON.stringify({
          id: `${prefix}${i}`,
          op: 'message.send',
          data: {
            conversation_id: conversationId,
            client_msg_id: `g${prefix}${i}`,
            type: 'text',
            content: { text: `${prefix}${i}` },
          },
        }),
      );
    }
    const expected = times.length * members.length;
    const deadline = performance.now() + 15_000;
    while (phase.deliveries < expected && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    return { phase, expected, elapsedS: (performance.now() - phase.start) / 1000 };
  };
  // Sign-ups, connections and the group (on the cluster: the api and the gateways).
  const setupS = (performance.now() - setupStart) / 1000;
  await ctx.mark('settle');
  if (p.warmUpMs !== undefined && p.warmUpMs > 0) await drive('w', p.warmUpMs);
  await ctx.mark('start');
  const { phase, expected, elapsedS } = await drive('m', p.durationMs);
  await ctx.mark('end');
  for (const m of [owner, ...members]) m.ws.close();
  const s = summarize(phase.last.filter((_, i) => phase.arrivals[i] === members.length));
  const deliveriesPerS = Math.round(phase.deliveries / elapsedS);
  return {
    scenario: relay ? 'group-floor' : 'group',
    clients: online,
    ...(online < p.members && { members: p.members }),
    target_rate: p.rate,
    sent: phase.times.length,
    delivered: phase.deliveries,
    expected_deliveries: expected,
    msgs_per_s: deliveriesPerS,
    deliveries_per_s: deliveriesPerS,
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    last_member_p99_ms: s.p99,
    setup_s: Math.round(setupS * 10) / 10,
  };
}

/** Creates the group (the owner and `memberIds`); returns its conversation id. */
async function createGroup(url: string, token: string, memberIds: string[]): Promise<string> {
  const res = await fetch(`${url}/v1/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'bench', member_ids: memberIds }),
  });
  if (!res.ok) throw new Error(`group creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { group: { conversation_id: string } }).group.conversation_id;
}
