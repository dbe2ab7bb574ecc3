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
 * most every 30 s per conversation: the first event of a conversation waits for the read (the
 * events behind it wait on the same read, so their order holds); later reads refresh the count
 * in the background while the last one is used.
 */
export class LargeGroupFanout {
  readonly #deps: LargeGroupFanoutDeps;
  readonly #threshold: number;
  readonly #sizes = new Map<string, { large: boolean; at: number }>();
  readonly #reading = new Map<string, Promise<boolean>>();

  constructor(deps: LargeGroupFanoutDeps, options: { threshold: number }) {
    this.#deps = deps;
    this.#threshold = options.threshold;
  }

  /** Whether the conversation's events go to the workers: at once when known, else once read. */
  isLarge(conversationId: string): boolean | Promise<boolean> {
    const known = this.#sizes.get(conversationId);
    if (known === undefined) return this.#readSize(conversationId);
    if (this.#deps.clock.now() - known.at > SIZE_TTL_MS) void this.#readSize(conversationId);
    return known.large;
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
      frame,
      exceptConnection: except.connectionId,
      exceptUser: except.userId,
    });
    this.#deps.tasks
      .enqueue(LARGE_GROUP_FANOUT, payload)
      .catch((err: unknown) => this.#deps.onError(err, conversationId));
  }

  #readSize(conversationId: string): Promise<boolean> {
    const reading = this.#reading.get(conversationId);
    if (reading !== undefined) return reading;
    const read = this.#deps.store.conversations.find(conversationId).then(
      (conversation) => {
        const large = (conversation?.memberCount ?? 0) > this.#threshold;
        setNewest(this.#sizes, conversationId, { large, at: this.#deps.clock.now() }, SIZES_MAX);
        return large;
      },
      (err: unknown) => {
        this.#deps.onError(err, conversationId);
        return this.#sizes.get(conversationId)?.large ?? false;
      },
    );
    const tracked = read.finally(() => this.#reading.delete(conversationId));
    this.#reading.set(conversationId, tracked);
    return tracked;
  }
}

export interface LargeGroupFanoutDeps {
  readonly store: Pick<Store, 'conversations'>;
  readonly tasks: TaskQueue;
  readonly clock: Clock;
  readonly codec: LargeGroupCodec;
  readonly onError: (err: unknown, conversationId: string) => void;
}
