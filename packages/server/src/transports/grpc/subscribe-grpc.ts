import type { SubscribeRequest } from '@parley/proto';
import type { Logger } from 'pino';
import type { HistoryService } from '../../app/messaging/history-service.js';
import type { PresenceService } from '../../app/presence/presence-service.js';
import { invalidArgument } from '../../domain/errors.js';
import type { Clock, Ids } from '../../ports/system.js';
import { CLOSE } from '../../protocol/ws-frames.js';
import type { Hub } from '../ws/hub.js';
import {
  authenticateCall,
  contextOf,
  failure,
  refuseExpired,
  type CallGuard,
} from './grpc-call.js';
import type { EventCodec } from './event-codec.js';
import { nonNegative, requireId } from './grpc-input.js';
import { GrpcSubscriber, type EventStream } from './grpc-subscriber.js';
import type { SenderNames } from './sender-names.js';

/** Conversations one Subscribe may resume. */
const RESUME_MAX = 1_000;
/** Messages read from the store per step of a catch-up. */
const CATCH_UP_PAGE = 100;

export interface SubscriptionDeps {
  readonly guard: CallGuard;
  /** This node's hub for gRPC streams (its own: the WebSocket gateway has another). */
  readonly hub: Hub<GrpcSubscriber>;
  readonly codec: EventCodec;
  readonly history: Pick<HistoryService, 'history'>;
  readonly names: SenderNames;
  readonly presence: Pick<PresenceService, 'connected' | 'disconnected'>;
  /** The group and world conversations whose events the user receives. */
  readonly subscriptionsOf: (userId: string) => Promise<string[]>;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxQueued: number;
  readonly onSlow: () => void;
}

/**
 * MessageService.Subscribe: what a WebSocket connection receives, through the same hub and
 * bus topics (so it works on every node of a cluster), after the messages the caller missed
 * in each conversation it names with the last seq it saw. The stream counts as a connection
 * in presence while it lasts.
 */
export class Subscriptions {
  readonly #deps: SubscriptionDeps;
  readonly #ended = new WeakSet<GrpcSubscriber>();
  /** Streams presence has recorded (and not yet forgotten). */
  readonly #present = new WeakSet<GrpcSubscriber>();

  constructor(deps: SubscriptionDeps) {
    this.#deps = deps;
  }

  count(): number {
    return this.#deps.hub.count();
  }

  /** Ends every stream with UNAVAILABLE (the node may have missed events: resubscribe). */
  resyncAll(reason: string): number {
    const open = [...this.#deps.hub.connections()];
    for (const sub of open) sub.close(CLOSE.resync, reason);
    return open.length;
  }

  /** Ends every stream as the server stops. */
  close(): void {
    for (const sub of [...this.#deps.hub.connections()]) {
      sub.close(CLOSE.goingAway, 'server shutting down');
    }
  }

  readonly handle = (call: EventStream): void => void this.#run(call);

  async #run(call: EventStream): Promise<void> {
    const { guard, hub, logger } = this.#deps;
    const { traceId } = contextOf(call);
    let sub: GrpcSubscriber | undefined;
    try {
      const request: SubscribeRequest = call.request;
      const auth = await authenticateCall(guard, call, request.header);
      refuseExpired(call);
      const resume = resumePoints(request);
      const subscriber: GrpcSubscriber = new GrpcSubscriber({
        id: `g-${this.#deps.ids.next()}`,
        auth,
        call,
        codec: this.#deps.codec,
        maxQueued: this.#deps.maxQueued,
        traceId,
        onSlow: this.#deps.onSlow,
        onEnd: () => this.#gone(subscriber),
      });
      sub = subscriber;
      const gone = () => subscriber.markGone();
      call.on('cancelled', gone);
      call.on('close', gone);
      call.on('finish', gone);
      const topics = await this.#deps.subscriptionsOf(auth.userId);
      // Gone meanwhile: never added (the hub forgets it if it goes while being added).
      if (this.#ended.has(subscriber) || !(await hub.add(subscriber, topics))) return;
      await this.#deps.presence.connected(auth.userId, subscriber.id);
      this.#present.add(subscriber);
      // Gone while presence recorded it: the record goes too.
      if (this.#ended.has(subscriber)) await this.#absent(subscriber);
      await subscriber.write(
        this.#deps.codec.ofData('ready', {
          user_id: auth.userId,
          session_id: auth.sessionId,
          connection_id: subscriber.id,
          server_time: this.#deps.clock.now(),
        }),
      );
      for (const point of resume) await this.#catchUp(subscriber, point);
      subscriber.release();
    } catch (err) {
      const error = failure(logger, 'Subscribe', traceId, err);
      if (sub === undefined) call.emit('error', error);
      else sub.end(error);
    }
  }

  /** The messages after `afterSeq`, from the store, a page at a time. */
  async #catchUp(sub: GrpcSubscriber, point: { conversationId: string; afterSeq: number }) {
    let afterSeq = point.afterSeq;
    for (;;) {
      if (!sub.isOpen) return;
      const page = await this.#deps.history.history(sub.auth, {
        conversationId: point.conversationId,
        afterSeq,
        limit: CATCH_UP_PAGE,
      });
      const names = await this.#deps.names.of(page.messages.map((m) => m.sender_id));
      for (const message of page.messages) {
        await sub.write(this.#deps.codec.ofStored(message, names.get(message.sender_id) ?? ''));
        afterSeq = message.seq;
      }
      if (!page.has_more || page.messages.length === 0) return;
    }
  }

  #gone(sub: GrpcSubscriber): void {
    if (this.#ended.has(sub)) return;
    this.#ended.add(sub);
    this.#deps.hub.remove(sub);
    if (this.#present.has(sub)) void this.#absent(sub);
  }

  async #absent(sub: GrpcSubscriber): Promise<void> {
    this.#present.delete(sub);
    await this.#deps.presence
      .disconnected(sub.auth.userId, sub.id)
      .catch((err: unknown) => this.#deps.logger.warn({ err }, 'presence update failed'));
  }
}

function resumePoints(request: SubscribeRequest) {
  if (request.resume.length > RESUME_MAX) {
    throw invalidArgument(`resume names at most ${RESUME_MAX} conversations.`, 'resume');
  }
  const seen = new Set<string>();
  return request.resume.map((point) => {
    const conversationId = requireId(point.conversationId, 'resume.conversation_id');
    if (seen.has(conversationId)) {
      throw invalidArgument(`resume names ${conversationId} twice.`, 'resume.conversation_id');
    }
    seen.add(conversationId);
    return { conversationId, afterSeq: nonNegative(point.afterSeq, 'resume.after_seq') };
  });
}
