/**
 * `grpc`: unary SendMessage and GetMessages calls per second over gRPC, and the same operations
 * over REST (POST /v1/conversations/:id/messages, GET …/messages), closed-loop: `callers`
 * clients each call back to back for the duration. `delivered` counts calls, so the harness's
 * server CPU per delivery is the server CPU per call.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  GetMessagesRequest,
  MessageServiceClient,
  SendMessageRequest,
  type GetMessagesResponse,
  type SendMessageResponse,
} from '@parley/proto';
import type { LoadContext, ScenarioResult } from './context.js';
import { inBatches, signUp } from './clients.js';
import { summarize } from '../stats.js';

export interface UnaryParams {
  readonly transport: 'grpc' | 'rest';
  readonly op: 'send' | 'history';
  readonly grpcAddr: string;
  readonly callers: number;
  /** Messages stored in each caller's conversation before history reads. */
  readonly prefill: number;
  readonly durationMs: number;
}

interface Caller {
  readonly token: string;
  readonly conversationId: string;
  readonly grpc: MessageServiceClient;
  readonly metadata: Metadata;
  sent: number;
}

async function restJson(url: string, token: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function grpcCall<Res>(
  start: (callback: (err: ServiceError | null, res: Res) => void) => void,
): Promise<Res> {
  return new Promise((resolve, reject) => start((err, res) => (err ? reject(err) : resolve(res))));
}

/** One call of the op over the transport. */
function callOnce(ctx: LoadContext, p: UnaryParams, c: Caller): Promise<unknown> {
  const n = c.sent++;
  if (p.op === 'send') {
    const content = { text: `bench ${n}` };
    if (p.transport === 'rest') {
      return restJson(`${ctx.url}/v1/conversations/${c.conversationId}/messages`, c.token, {
        method: 'POST',
        body: JSON.stringify({ client_msg_id: `u${n}`, type: 'text', content }),
      });
    }
    return grpcCall<SendMessageResponse>((cb) =>
      c.grpc.sendMessage(
        SendMessageRequest.fromPartial({
          conversationId: c.conversationId,
          clientMsgId: `u${n}`,
          messageType: 1,
          content: JSON.stringify(content),
        }),
        c.metadata,
        cb,
      ),
    );
  }
  if (p.transport === 'rest') {
    return restJson(`${ctx.url}/v1/conversations/${c.conversationId}/messages?limit=50`, c.token);
  }
  return grpcCall<GetMessagesResponse>((cb) =>
    c.grpc.getMessages(
      GetMessagesRequest.fromPartial({ conversationId: c.conversationId, size: 50 }),
      c.metadata,
      cb,
    ),
  );
}

export async function runUnary(ctx: LoadContext, p: UnaryParams): Promise<ScenarioResult> {
  const callers = await inBatches(
    Array.from({ length: p.callers }, (_, i) => i),
    20,
    async (): Promise<Caller> => {
      const { token } = await signUp(ctx.url);
      const group = (await restJson(`${ctx.url}/v1/groups`, token, {
        method: 'POST',
        body: JSON.stringify({ name: 'bench', member_ids: [] }),
      })) as { group: { conversation_id: string } };
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      return {
        token,
        conversationId: group.group.conversation_id,
        grpc: new MessageServiceClient(p.grpcAddr, credentials.createInsecure()),
        metadata,
        sent: 0,
      };
    },
  );
  if (p.op === 'history') {
    const fill: Caller[] = callers.map((c) => ({ ...c, sent: 0 }));
    const sendParams = { ...p, op: 'send' as const, transport: 'rest' as const };
    for (const c of fill) {
      for (let i = 0; i < p.prefill; i += 1) await callOnce(ctx, sendParams, c);
    }
  }
  // Warm both paths (connections, JIT) before the measured window.
  await Promise.all(callers.map((c) => callOnce(ctx, p, c)));
  await ctx.mark('start');
  const started = performance.now();
  const stopAt = started + p.durationMs;
  const latencies: number[] = [];
  let failed = 0;
  await Promise.all(
    callers.map(async (c) => {
      while (performance.now() < stopAt) {
        const t0 = performance.now();
        try {
          await callOnce(ctx, p, c);
          latencies.push(performance.now() - t0);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  await ctx.mark('end');
  for (const c of callers) c.grpc.close();
  const s = summarize(latencies);
  return {
    scenario: `grpc-${p.op}`,
    transport: p.transport,
    clients: p.callers,
    sent: latencies.length + failed,
    delivered: latencies.length,
    failed,
    msgs_per_s: Math.round(latencies.length / elapsedS),
    calls_per_s: Math.round(latencies.length / elapsedS),
    p50_ms: s.p50,
    p95_ms: s.p95,
    p99_ms: s.p99,
    max_ms: s.max,
  };
}
