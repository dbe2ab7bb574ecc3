/**
 * `npm run chaos`: Parley under load, killed with SIGKILL every few seconds and restarted on the
 * same data, while senders retry every unanswered send with its client_msg_id. At the end every
 * conversation is read back: each acknowledged message must be there exactly once, under the seq
 * it was acknowledged with, and seqs must run 1..max without gap (docs/reliability.md).
 *
 *   npm run chaos -- [--engine sqlite|postgres] [--kills 12] [--interval-ms 3000] [--senders 6] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../fuzz/prng.js';
import { freePort } from '../support/ports.js';
import { createDatabase, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { CLI, run, type RunningProcess } from '../support/process.js';
import { ChaosSender } from './chaos-client.js';
import { verify, type StoredMessage } from './verify.js';

const LISTENING = /Parley is listening on (http:\/\/[^"\s]+)/;
const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'sqlite' },
    kills: { type: 'string', default: '12' },
    'interval-ms': { type: 'string', default: '3000' },
    senders: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
  },
});
const engine = values.engine;
if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('--engine is sqlite or postgres');
const KILLS = Number(values.kills);
const INTERVAL = Number(values['interval-ms']);
const SENDERS = Number(values.senders);
const rng = new Rng(Number(values.seed));

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-chaos-'));
  let postgres: PostgresServer | undefined;
  let databaseUrl: string | undefined;
  if (engine === 'postgres') {
    postgres = await startPostgres();
    databaseUrl = await createDatabase(postgres.url);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: String(port),
    PARLEY_GRPC_PORT: '0',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ARGON2_MEMORY_KIB: '1024',
    PARLEY_ARGON2_ITERATIONS: '1',
    PARLEY_DM_POLICY: 'anyone',
    // The senders are strangers to the group's owner: add them directly.
    PARLEY_GROUP_ADD_POLICY: 'anyone',
    ...(databaseUrl !== undefined && { PARLEY_DATABASE_URL: databaseUrl }),
  };
  let server: RunningProcess | undefined;
  const start = async () => {
    server = run('node', [CLI, 'start'], env);
    await server.waitFor(LISTENING);
  };
  try {
    await start();
    const senders = await setUp(url);
    const running = senders.map((s) => s.run(4));
    let kills = 0;
    while (kills < KILLS) {
      await sleep(INTERVAL / 2 + rng.int(0, INTERVAL));
      server?.signal('SIGKILL');
      await server?.exited;
      kills += 1;
      await start();
    }
    // Load a little more on the last life, then stop sending and retry what is unanswered.
    await sleep(INTERVAL / 2);
    for (const s of senders) s.stop();
    await Promise.all(running);
    await Promise.all(senders.map((s) => s.drain(Date.now() + 60_000)));

    const acked = new Map<string, Map<string, number>>();
    for (const s of senders) {
      const mine = acked.get(s.conversationId) ?? new Map<string, number>();
      for (const [id, { seq }] of s.acked) mine.set(id, seq);
      acked.set(s.conversationId, mine);
    }
    const stored = new Map<string, StoredMessage[]>();
    for (const s of senders) {
      if (!stored.has(s.conversationId)) stored.set(s.conversationId, await history(url, s));
    }
    const verdict = verify(acked, stored);
    const sum = (f: (s: ChaosSender) => number) => senders.reduce((n, s) => n + f(s), 0);
    const refusals: Record<string, number> = {};
    for (const s of senders)
      for (const [code, n] of s.refusals) refusals[code] = (refusals[code] ?? 0) + n;
    console.log(
      JSON.stringify(
        {
          engine,
          kills,
          senders: SENDERS,
          seconds: Math.round((Date.now() - started) / 1000),
          attempts: sum((s) => s.attempts),
          retries: sum((s) => s.retries),
          reconnects: sum((s) => s.reconnects),
          duplicate_answers: sum((s) => [...s.acked.values()].filter((a) => a.duplicate).length),
          unacked_at_end: sum((s) => s.unacked.size),
          refusals,
          ...verdict,
        },
        null,
        2,
      ),
    );
    const clean =
      verdict.lost === 0 &&
      verdict.duplicated === 0 &&
      verdict.seq_mismatch === 0 &&
      verdict.seq_gaps === 0 &&
      verdict.seq_dups === 0 &&
      sum((s) => s.unacked.size) === 0;
    process.exitCode = clean ? 0 : 1;
  } finally {
    server?.signal('SIGKILL');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.stop();
  }
}

/** Senders and their conversations: half write to a shared group, half one to one. */
async function setUp(url: string): Promise<ChaosSender[]> {
  const register = async (name: string) => {
    const res = await post(url, '/v1/auth/register', {
      username: name,
      password: 'chaos monkey run',
    });
    return res as { access_token: string; user: { user_id: string } };
  };
  const owner = await register('chaosowner');
  const users = await Promise.all(Array.from({ length: SENDERS }, (_, i) => register(`chaos${i}`)));
  const group = (await post(
    url,
    '/v1/groups',
    { name: 'Chaos', member_ids: users.map((u) => u.user.user_id) },
    owner.access_token,
  )) as { group: { conversation_id: string } };
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/ws`;
  return Promise.all(
    users.map(async (u, i) => {
      let conversationId = group.group.conversation_id;
      if (i % 2 === 1) {
        const single = (await post(
          url,
          '/v1/conversations',
          { user_id: owner.user.user_id },
          u.access_token,
        )) as {
          conversation: { conversation_id: string };
        };
        conversationId = single.conversation.conversation_id;
      }
      return new ChaosSender(`s${i}`, wsUrl, u.access_token, conversationId);
    }),
  );
}

async function history(url: string, sender: ChaosSender): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  let after = 0;
  for (;;) {
    const res = await fetch(
      `${url}/v1/conversations/${sender.conversationId}/messages?after_seq=${after}&limit=100`,
      { headers: { authorization: `Bearer ${sender.token}` } },
    );
    const page = (await res.json()) as { messages?: StoredMessage[]; has_more: boolean };
    if (!res.ok || page.messages === undefined) {
      throw new Error(`Reading ${sender.conversationId} failed: ${JSON.stringify(page)}`);
    }
    messages.push(...page.messages);
    after = page.messages.at(-1)?.seq ?? after;
    if (!page.has_more) return messages;
  }
}

async function post(url: string, path: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as unknown;
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await main();
