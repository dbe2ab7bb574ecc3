/**
 * The `group` scenario: one group of M members, all online, one sender posting at a fixed
 * rate. Measures deliveries per second and, per message, the time until the last member has
 * it; plus server CPU per delivery.
 */
import { connectUser, type BenchUser } from './clients.js';
import type { BenchServer } from './server.js';
import { schedule, summarize } from './stats.js';

export interface GroupOptions {
  readonly members: number;
  /** Messages per second into the group. */
  readonly rate: number;
  readonly durationMs: number;
}

export async function runGroup(server: BenchServer, options: GroupOptions) {
  const owner = await connectUser(server.url, 'gowner');
  const members: BenchUser[] = [];
  for (let i = 0; i < options.members - 1; i++)
    members.push(await connectUser(server.url, `gm${i}`));
  const res = await fetch(`${server.url}/v1/groups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
    body: JSON.stringify({ name: 'bench', member_ids: members.map((m) => m.userId) }),
  });
  const { group } = (await res.json()) as { group: { conversation_id: string } };
  // Live connections were subscribed by the create; give the controls a moment to land.
  await new Promise((r) => setTimeout(r, 200));

  const times = schedule(options.rate, options.durationMs);
  const lastArrival = new Array<number>(times.length).fill(0);
  const arrivals = new Array<number>(times.length).fill(0);
  let deliveries = 0;
  const start = performance.now() + 200;
  for (const member of members) {
    member.ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event !== 'message.new') return;
      const index = Number(frame.data.message.content.text);
      deliveries++;
      arrivals[index] = (arrivals[index] ?? 0) + 1;
      lastArrival[index] = performance.now() - start - (times[index] ?? 0);
    });
  }
  const cpuBefore = server.cpuSeconds();
  for (let i = 0; i < times.length; i++) {
    const wait = start + (times[i] ?? 0) - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    owner.ws.send(
      JSON.stringify({
        id: i,
        op: 'message.send',
        data: {
          conversation_id: group.conversation_id,
          client_msg_id: `g${i}`,
          type: 'text',
          content: { text: String(i) },
        },
      }),
    );
  }
  const expected = times.length * members.length;
  const deadline = performance.now() + 15_000;
  while (deliveries < expected && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = server.cpuSeconds() - cpuBefore;
  for (const m of [owner, ...members]) m.ws.close();
  const complete = lastArrival.filter((_, i) => arrivals[i] === members.length);
  return {
    scenario: 'group',
    members: options.members,
    target_rate: options.rate,
    duration_s: options.durationMs / 1000,
    messages: times.length,
    deliveries,
    expected_deliveries: expected,
    deliveries_per_s: Math.round(deliveries / elapsedS),
    last_member_ms: summarize(complete),
    server_cpu_s: Math.round(cpu * 100) / 100,
    server_cpu_us_per_delivery:
      deliveries === 0 ? null : Math.round((cpu / deliveries) * 1e6 * 100) / 100,
    server_rss_mb: Math.round(server.rssBytes() / 1024 / 1024),
  };
}
