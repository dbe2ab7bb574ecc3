/**
 * `ext`: the `direct` text load while another user keeps sending a type whose extension
 * service is dead. Compare its text latency with the `direct` line: a failing extension must
 * not slow text.
 */
import { connectUser } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { runDirect, type DirectParams } from './direct.js';

/** Env for a server whose `bench.dead` type points at a port nothing listens on. */
export const DEAD_EXTENSION_ENV = {
  PARLEY_EXT: JSON.stringify({
    services: { 'bench.dead': [{ instance_id: 'dead', addr: '127.0.0.1:1', mode: 'sync' }] },
    types: { 'bench.dead': { degrade: 'reject', timeout_ms: 50 } },
  }),
};

export async function runExt(
  ctx: LoadContext,
  p: DirectParams & { extRate: number },
): Promise<ScenarioResult> {
  const sender = await connectUser(ctx.url);
  const peer = await connectUser(ctx.url);
  const outcomes: Record<string, number> = {};
  sender.ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as {
      id?: unknown;
      ok?: boolean;
      error?: { code: string };
    };
    if (frame.id === undefined) return;
    const key = frame.ok ? 'ok' : (frame.error?.code ?? 'error');
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
      await new Promise((r) => setTimeout(r, 1000 / p.extRate));
    }
  })();
  const text = await runDirect(ctx, p);
  running = false;
  await loop;
  sender.ws.close();
  peer.ws.close();
  return { ...text, scenario: 'ext', ext_rate: p.extRate, ext_sent: i, ext_outcomes: outcomes };
}
