/**
 * `connect` and `direct` over XMPP, against ejabberd: the same shape and JSON fields as
 * Parley's (load/connect.ts, load/direct.ts), with @xmpp/client sessions in place of
 * WebSockets. A session is up when it is authenticated (SASL PLAIN), bound, has stream
 * management enabled by the library, and the server has echoed its initial presence: from
 * then on it receives messages sent to its bare JID, as a Parley socket does after `ready`.
 */
import { client, type Client, type Element } from '@xmpp/client';
import {
  account,
  bareJid,
  chatMessage,
  deliveredBody,
  initialPresence,
  isOwnPresence,
  isStanzaError,
  XMPP_DOMAIN,
} from '../peer/xmpp.js';
import { schedule, summarize } from '../stats.js';
import { inBatches } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';

export interface XmppConnectParams {
  readonly connections: number;
  readonly concurrency: number;
  readonly domain?: string;
}

export interface XmppDirectParams {
  readonly pairs: number;
  /** Messages per second over all pairs. */
  readonly rate: number;
  readonly durationMs: number;
  readonly domain?: string;
}

const CLIENT = '@xmpp/client 0.14';

/** A session that is not up within this is a failure (the job fails, it does not hang). */
const SESSION_TIMEOUT_MS = 60_000;

/** Logs in bench account i and resolves once its initial presence came back. */
export async function xmppSession(url: string, i: number, domain = XMPP_DOMAIN): Promise<Client> {
  let xmpp: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (xmpp) dropSession(xmpp);
      reject(new Error(`${account(i).username}: no session in ${SESSION_TIMEOUT_MS / 1000} s`));
    }, SESSION_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      timeout,
      open(url, i, domain, (c) => {
        xmpp = c;
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function open(
  url: string,
  i: number,
  domain: string,
  created: (xmpp: Client) => void,
): Promise<Client> {
  const { username, password } = account(i);
  const xmpp = client({
    service: url,
    domain,
    resource: 'bench',
    timeout: 30_000,
    // PLAIN over plain TCP: the library would pick SCRAM on an unencrypted stream.
    credentials: (authenticate) => authenticate({ username, password }, 'PLAIN'),
  });
  created(xmpp);
  xmpp.reconnect.stop();
  // Like ws: no Nagle delay on small writes (ejabberd's sockets have nodelay too).
  xmpp.on('connect', () => xmpp.socket?.setNoDelay(true));
  const errors: unknown[] = [];
  xmpp.on('error', (err: unknown) => errors.push(err));
  await xmpp.start();
  const jid = xmpp.jid?.toString();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no presence echo for ${jid}`)), 30_000);
    const onStanza = (stanza: Element) => {
      if (!isOwnPresence(stanza, jid)) return;
      clearTimeout(timer);
      xmpp.off('stanza', onStanza);
      resolve();
    };
    xmpp.on('stanza', onStanza);
    xmpp.send(initialPresence()).catch(reject);
  });
  return xmpp;
}

/** Drops the TCP connection at once (like ws.terminate()): nothing left to measure. */
export function dropSession(xmpp: Client): void {
  xmpp.socket?.destroy();
}

export async function runXmppConnect(
  ctx: LoadContext,
  p: XmppConnectParams,
): Promise<ScenarioResult> {
  // The accounts exist already (seeded into ejabberd's database before it started).
  const latencies: number[] = [];
  await ctx.mark('start');
  const started = performance.now();
  const sessions = await inBatches(
    Array.from({ length: p.connections }, (_, i) => i),
    p.concurrency,
    async (i) => {
      const t0 = performance.now();
      const xmpp = await xmppSession(ctx.url, i, p.domain);
      latencies.push(performance.now() - t0);
      return xmpp;
    },
  );
  const elapsedS = (performance.now() - started) / 1000;
  // Idle for a moment so the server's memory settles before the harness reads it.
  await new Promise((r) => setTimeout(r, 1_000));
  await ctx.mark('end');
  for (const xmpp of sessions) dropSession(xmpp);
  const s = summarize(latencies);
  return {
    scenario: 'connect',
    clients: p.connections,
    sent: p.connections,
    delivered: sessions.length,
    msgs_per_s: 0,
    connects_per_s: Math.round(sessions.length / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    client_lib: CLIENT,
  };
}

export async function runXmppDirect(
  ctx: LoadContext,
  p: XmppDirectParams,
): Promise<ScenarioResult> {
  const domain = p.domain ?? XMPP_DOMAIN;
  const pairs = await inBatches(
    Array.from({ length: p.pairs }, (_, i) => i),
    20,
    async (i) =>
      [
        await xmppSession(ctx.url, 2 * i, domain),
        await xmppSession(ctx.url, 2 * i + 1, domain),
      ] as const,
  );
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  const perPair = p.rate / p.pairs;
  const times = schedule(perPair, p.durationMs);
  const start = performance.now() + 300;
  for (const [sender, receiver] of pairs) {
    receiver.on('stanza', (stanza: Element) => {
      const text = deliveredBody(stanza);
      if (text !== undefined) latencies.push(performance.now() - start - Number(text));
    });
    // A bounced message comes back to its sender as an error stanza.
    sender.on('stanza', (stanza: Element) => {
      if (stanza.name === 'message' && isStanzaError(stanza)) failed++;
    });
    // XEP-0198: the server's <a h='…'/> confirms it has handled the sender's stanzas.
    sender.streamManagement.on('ack', (stanza: Element) => {
      if (stanza.name === 'message') acked++;
    });
  }
  await ctx.mark('start');
  await Promise.all(
    pairs.map(async ([sender], index) => {
      const to = bareJid(2 * index + 1, domain);
      let id = 0;
      const offset = (index / p.pairs) * (1000 / perPair);
      for (const due of times) {
        const at = due + offset;
        const wait = start + at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        id++;
        sender.send(chatMessage(to, `p${index}-${id}`, String(at))).catch(() => failed++);
      }
    }),
  );
  const expected = times.length * p.pairs;
  const deadline = performance.now() + 10_000;
  while (latencies.length < expected && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const elapsedS = (performance.now() - start) / 1000;
  // The library asks for an ack 250 ms after a sender's last stanza: let it come (≤ 1 s).
  const ackDeadline = performance.now() + 1_000;
  while (acked < expected && performance.now() < ackDeadline)
    await new Promise((r) => setTimeout(r, 20));
  await ctx.mark('end');
  for (const [a, b] of pairs) {
    dropSession(a);
    dropSession(b);
  }
  const s = summarize(latencies);
  return {
    scenario: 'direct',
    clients: p.pairs * 2,
    target_rate: p.rate,
    duration_s: p.durationMs / 1000,
    sent: expected,
    acked,
    failed,
    delivered: latencies.length,
    msgs_per_s: Math.round(latencies.length / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
    client_lib: CLIENT,
  };
}
