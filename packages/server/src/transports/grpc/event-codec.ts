import { Event } from '@parley/proto';
import type { PublicMessage } from '../../domain/message.js';
import type { TextFrame } from '../ws/text-frame.js';
import { toMessage } from './grpc-codec.js';
import type { SenderNames } from './sender-names.js';

/** One event ready for every Subscribe stream it goes to: encoded once, sent as is. */
export interface EncodedEvent {
  readonly name: string;
  readonly conversationId: string;
  /** The message's seq for message.new (what resuming de-duplicates by); 0 otherwise. */
  readonly newSeq: number;
  readonly bytes: Buffer;
}

/**
 * The gRPC codec of events: a frame of the bus (the WebSocket event JSON, encoded once by the
 * publisher) as an im.api.Event, with the message in seed form and its sender's name. A
 * fan-out hands the same frame to every stream: it is decoded and encoded once for all.
 */
export class EventCodec {
  readonly #names: SenderNames;
  readonly #encoded = new WeakMap<TextFrame, Promise<EncodedEvent | undefined>>();

  constructor(names: SenderNames) {
    this.#names = names;
  }

  /** The frame as an event; undefined for one that is not an event (never expected). */
  ofFrame(frame: TextFrame): Promise<EncodedEvent | undefined> {
    let encoded = this.#encoded.get(frame);
    if (encoded === undefined) {
      encoded = this.#decode(frame.payload);
      this.#encoded.set(frame, encoded);
    }
    return encoded;
  }

  /** A stored message, read back when a stream resumes (sent as message.new, replayed). */
  ofStored(message: PublicMessage, senderName: string): EncodedEvent {
    return this.#encode('message.new', { message }, senderName, true);
  }

  /** An event of the stream itself (ready). */
  ofData(name: string, data: Record<string, unknown>): EncodedEvent {
    return this.#encode(name, data, '', false);
  }

  async #decode(payload: Buffer): Promise<EncodedEvent | undefined> {
    let parsed: { event?: unknown; data?: unknown };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as typeof parsed;
    } catch {
      return undefined;
    }
    if (typeof parsed.event !== 'string') return undefined;
    const data = (parsed.data ?? {}) as { message?: PublicMessage };
    const senderId = data.message?.sender_id;
    const names = senderId === undefined ? undefined : await this.#names.of([senderId]);
    return this.#encode(parsed.event, data, names?.get(senderId ?? '') ?? '', false);
  }

  #encode(
    name: string,
    data: { message?: PublicMessage; conversation_id?: unknown; seq?: unknown },
    senderName: string,
    replayed: boolean,
  ): EncodedEvent {
    const message = data.message;
    const conversationId =
      message?.conversation_id ??
      (typeof data.conversation_id === 'string' ? data.conversation_id : '');
    const seq = message?.seq ?? (typeof data.seq === 'number' ? data.seq : 0);
    const event: Event = {
      event: name,
      data: JSON.stringify(data),
      message: message === undefined ? undefined : toMessage(message, senderName),
      conversationId,
      seq,
      replayed,
    };
    return {
      name,
      conversationId,
      newSeq: name === 'message.new' ? seq : 0,
      bytes: Buffer.from(Event.encode(event).finish()),
    };
  }
}
