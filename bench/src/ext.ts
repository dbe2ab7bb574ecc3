/**
 * The `ext` scenario: text traffic (as in `direct`) while another user keeps sending a type
 * whose extension service is dead (or hung). Text latency here against the `direct` line of
 * the same run shows whether a failing extension slows text: it must not.
 */
import { connectUser } from './clients.js';
import { runDirect, type DirectOptions } from './direct.js';
import type { BenchServer } from './server.js';

/** Env for a server whose `bench.dead` type points at a port nothing listens on. */
export const DEAD_EXTENSION_ENV = {
  PARLEY_EXT: JSON.stringify({
    services: { 'bench.dead': [{ instance_id: 'dead', addr: '127.0.0.1:1', mode: 'sync' }] },
    types: { 'bench.dead': { degrade: 'reject', timeout_ms: 50 } },
  }),
};

export async function runExt(server: BenchServer, options: DirectOptions & { extRate: number }) {
  const sender = await connectUser(server.url, 'extsender');
  const peer = await connectUser(server.url, 'extpeer');
  const outcomes: Record<string, number> = {};
  sender.ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if (frame.id === undefined) return;
    const key = frame.ok ? 'ok' : `${frame.error.code}: ${frame.error.message}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  });
  let running = true;
  let i = 0;
  const loop = (async () => {
    while (running) {
      sender.ws.send(
        JSON.stringify({
          id: i,
          op: 'message.send',
          data: {
            to_user_id: peer.userId,
            client_msg_id: `x${i++}`,
            type: 'bench.dead',
            content: { n: i },
          },
        }),
      );
      await new Promise((r) => setTimeout(r, 1000 / options.extRate));
    }
  })();
  const text = await runDirect(server, options);
  running = false;
  await loop;
  sender.ws.close();
  peer.ws.close();
  return {
    ...text,
    scenario: 'ext',
    ext_rate: options.extRate,
    ext_sent: i,
    ext_outcomes: outcomes,
  };
}
