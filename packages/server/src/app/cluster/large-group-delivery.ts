import { gatewayTopic, type Bus } from '../../ports/bus.js';
import type { Presence } from '../../ports/presence.js';
import type { Store } from '../../ports/store.js';
import type { TaskQueue } from '../../ports/task-queue.js';
import {
  LARGE_GROUP_FANOUT,
  type LargeGroupCodec,
  type LargeGroupFanoutTask,
} from '../../protocol/large-group-codec.js';

/**
 * The worker's half of a large-group fan-out: walks the members in batches (by user id), asks
 * presence which gateways hold the online ones, and sends each gateway one message with the
 * frame and its users. Offline members cost one presence lookup per batch, on a worker, never
 * on the sender's node. A batch that fails is handed on as a new task starting at that batch,
 * so a retry does not send the batches already delivered again.
 */
export interface LargeGroupDeliveryDeps {
  readonly store: Pick<Store, 'members'>;
  readonly presence: Pick<Presence, 'gatewaysOf'>;
  readonly bus: Bus;
  readonly tasks: TaskQueue;
  readonly codec: LargeGroupCodec;
  readonly onBatchError: (err: unknown, task: LargeGroupFanoutTask) => void;
}

export class LargeGroupDelivery {
  readonly #deps: LargeGroupDeliveryDeps;

  constructor(deps: LargeGroupDeliveryDeps) {
    this.#deps = deps;
  }

  async handle(payload: Uint8Array): Promise<{ walked: number; online: number }> {
    const { codec, tasks } = this.#deps;
    const task = codec.decode(payload);
    let after = task.afterUserId;
    let walked = 0;
    let online = 0;
    for (;;) {
      let batch: { ids: string[]; online: number };
      try {
        batch = await this.#deliverBatch(task, after);
      } catch (err) {
        this.#deps.onBatchError(err, task);
        await tasks.enqueue(LARGE_GROUP_FANOUT, codec.encode({ ...task, afterUserId: after }));
        return { walked, online };
      }
      walked += batch.ids.length;
      online += batch.online;
      if (batch.ids.length < task.batchSize) return { walked, online };
      after = batch.ids.at(-1);
    }
  }

  /** Delivers one batch; returns the batch's member ids and how many were reached. */
  async #deliverBatch(
    task: LargeGroupFanoutTask,
    after: string | undefined,
  ): Promise<{ ids: string[]; online: number }> {
    const { store, presence, bus } = this.#deps;
    const members = await store.members.page(task.conversationId, after, task.batchSize);
    const ids = members.map((member) => member.userId);
    if (ids.length === 0) return { ids, online: 0 };
    let online = 0;
    const byGateway = new Map<string, string[]>();
    for (const [userId, gateways] of await presence.gatewaysOf(ids)) {
      if (userId === task.exceptUser) continue;
      online++;
      for (const gateway of gateways) {
        const users = byGateway.get(gateway);
        if (users === undefined) byGateway.set(gateway, [userId]);
        else users.push(userId);
      }
    }
    for (const [gateway, users] of byGateway) {
      bus.publish(gatewayTopic(gateway), {
        frame: task.frame,
        users,
        ...(task.exceptConnection !== undefined && { exceptConnection: task.exceptConnection }),
      });
    }
    return { ids, online };
  }
}
