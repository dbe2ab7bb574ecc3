import { setNewest } from '../../domain/bounded-map.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { TaskQueue } from '../../ports/task-queue.js';
import { LARGE_GROUP_FANOUT, type LargeGroupCodec } from '../../protocol/large-group-codec.js';
import type { Exclusion } from '../messaging/fanout.js';

const SIZES_MAX = 100_000;
/** How long a conversation's member count is trusted before it is read again. */
const SIZE_TTL_MS = 30_000;

/**
 * Sends the events of groups over a threshold to the workers (`im.task`), so that a group of
 * 100,000 never fans out from the node its sender is on. Decides from a member count read at
 * most every 30 s per conversation; until the count is known, the conversation's bus topic
 * carries the event (correct either way: gateways subscribe to every topic their users want).
 */
export class LargeGroupFanout {
  readonly #deps: LargeGroupFanoutDeps;
  readonly #threshold: number;
  readonly #batchSize: number;
  readonly #sizes = new Map<string, { large: boolean; at: number }>();
  readonly #reading = new Set<string>();

  constructor(deps: LargeGroupFanoutDeps, options: { threshold: number; batchSize: number }) {
    this.#deps = deps;
    this.#threshold = options.threshold;
    this.#batchSize = options.batchSize;
  }

  /** True when the conversation's events go to the workers (false while unknown). */
  isLarge(conversationId: string): boolean {
    const known = this.#sizes.get(conversationId);
    const now = this.#deps.clock.now();
    if (known === undefined || now - known.at > SIZE_TTL_MS) this.#readSize(conversationId);
    return known?.large ?? false;
  }

  /** Enqueues the event for the workers; a failure loses only live delivery (clients catch up). */
  dispatch(
    conversationId: string,
    frame: Buffer,
    except: Exclusion,
    about: { messageId?: string; seq?: number } = {},
  ): void {
    const payload = this.#deps.codec.encode({
      conversationId,
      messageId: about.messageId ?? '',
      seq: about.seq ?? 0,
      batchSize: this.#batchSize,
      frame,
      exceptConnection: except.connectionId,
      exceptUser: except.userId,
    });
    this.#deps.tasks
      .enqueue(LARGE_GROUP_FANOUT, payload)
      .catch((err: unknown) => this.#deps.onError(err, conversationId));
  }

  #readSize(conversationId: string): void {
    if (this.#reading.has(conversationId)) return;
    this.#reading.add(conversationId);
    this.#deps.store.conversations
      .find(conversationId)
      .then(
        (conversation) => {
          const large = (conversation?.memberCount ?? 0) > this.#threshold;
          setNewest(this.#sizes, conversationId, { large, at: this.#deps.clock.now() }, SIZES_MAX);
        },
        (err: unknown) => this.#deps.onError(err, conversationId),
      )
      .finally(() => this.#reading.delete(conversationId));
  }
}

export interface LargeGroupFanoutDeps {
  readonly store: Pick<Store, 'conversations'>;
  readonly tasks: TaskQueue;
  readonly clock: Clock;
  readonly codec: LargeGroupCodec;
  readonly onError: (err: unknown, conversationId: string) => void;
}
