/** What fault tests read from a cluster: /ready of every node, metrics, the task queue, history. */
import type { Cluster } from '../support/cluster.js';
import type { StoredMessage } from '../chaos/verify.js';
import { call } from './cluster-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string | (() => string),
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs} ms`);
    }
    await sleep(everyMs);
  }
}

export interface ReadyAnswer {
  /** The HTTP status (0 when the node did not answer). */
  readonly status: number;
  /** The engines the node reported down. */
  readonly down?: string[];
}

/** Each node's /ready answer. */
export async function readyAnswers(cluster: Cluster): Promise<Record<string, ReadyAnswer>> {
  const entries = await Promise.all(
    [...cluster.nodes.values()].map(async (node): Promise<[string, ReadyAnswer]> => {
      try {
        const res = await fetch(`${node.url}/ready`, { signal: AbortSignal.timeout(3_000) });
        const body = (await res.json()) as { down?: string[] };
        return [node.name, { status: res.status, ...(body.down && { down: body.down }) }];
      } catch {
        return [node.name, { status: 0 }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Waits until every node's /ready answers `status`; returns the answers seen then. */
export async function waitForReady(
  cluster: Cluster,
  status: 200 | 503,
  timeoutMs = 20_000,
): Promise<Record<string, ReadyAnswer>> {
  let last: Record<string, ReadyAnswer> = {};
  await waitUntil(
    () => `every node's /ready answering ${status} (last ${JSON.stringify(last)})`,
    async () => {
      last = await readyAnswers(cluster);
      return Object.values(last).every((answer) => answer.status === status);
    },
    timeoutMs,
    100,
  );
  return last;
}

/** One counter of a node's /metrics (0 when absent). */
export async function counter(nodeUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

export const FANOUT_OK = 'parley_tasks_total{task_type="large_group_fanout",outcome="ok"}';

export interface TaskQueueState {
  /** Tasks in the work-queue stream: not yet acknowledged. */
  readonly messages: number;
  /** Delivered to a worker and not yet acknowledged. */
  readonly ackPending: number;
  /** Deliveries made, first and again. */
  readonly deliveries: number;
  /** The last stream sequence delivered: tasks delivered at least once. */
  readonly delivered: number;
}

/** The task stream and its shared consumer, from nats-server's monitoring. */
export async function taskQueue(cluster: Cluster): Promise<TaskQueueState> {
  const url = `${cluster.nats.monitorUrl}/jsz?streams=true&consumers=true`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const jsz: any = await (await fetch(url)).json();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const streams: any[] = jsz.account_details?.flatMap((a: any) => a.stream_detail ?? []) ?? [];
  const stream = streams.find((s) => s.name === 'PARLEY_TASKS');
  const consumer = stream?.consumer_detail?.find(
    (c: { name: string }) => c.name === 'parley-workers',
  );
  return {
    messages: stream?.state?.messages ?? 0,
    ackPending: consumer?.num_ack_pending ?? 0,
    deliveries: consumer?.delivered?.consumer_seq ?? 0,
    delivered: consumer?.delivered?.stream_seq ?? 0,
  };
}

/** Every message of a conversation, read through the api by one of its members. */
export async function storedMessages(
  api: string,
  token: string,
  conversationId: string,
): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (let after = 0; ;) {
    const page = await call(
      api,
      'GET',
      `/v1/conversations/${conversationId}/messages?after_seq=${after}&limit=100`,
      token,
    );
    messages.push(...page.messages);
    after = page.messages.at(-1)?.seq ?? after;
    if (page.has_more !== true) return messages;
  }
}

/**
 * Waits until nats-server has dropped the connection of node `nodeId` (after a kill): by then it
 * has read everything the node sent, acknowledgements included.
 */
export async function natsForgot(cluster: Cluster, nodeId: string): Promise<void> {
  await waitUntil(`nats-server dropping ${nodeId}'s connection`, async () => {
    const url = `${cluster.nats.monitorUrl}/connz?limit=1024`;
    const connz = (await (await fetch(url)).json()) as { connections?: { name?: string }[] };
    return !(connz.connections ?? []).some((c) => c.name === `parley-${nodeId}`);
  });
}
