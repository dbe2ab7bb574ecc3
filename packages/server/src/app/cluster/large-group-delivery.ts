import { conversationTopic, type Bus } from '../../ports/bus.js';
import type { LargeGroupCodec } from '../../protocol/large-group-codec.js';

/**
 * The worker's half of a large-group fan-out: one publish of the frame on the conversation's
 * topic. The bus carries it only to the gateways holding a connection of a member (they
 * subscribe while one is connected), and each writes it to its own members' sockets: nothing
 * here, or anywhere, grows with the members who are offline, and nothing walks the member list.
 * At least once like every task: a redelivered task publishes again, and clients drop a seq
 * they already hold.
 */
export class LargeGroupDelivery {
  readonly #bus: Bus;
  readonly #codec: LargeGroupCodec;

  constructor(deps: { readonly bus: Bus; readonly codec: LargeGroupCodec }) {
    this.#bus = deps.bus;
    this.#codec = deps.codec;
  }

  /** Throws on a payload that does not decode (the queue dead-letters it). */
  handle(payload: Uint8Array): void {
    const task = this.#codec.decode(payload);
    this.#bus.publish(conversationTopic(task.conversationId), {
      frame: task.frame,
      ...(task.exceptConnection !== undefined && { exceptConnection: task.exceptConnection }),
      ...(task.exceptUser !== undefined && { exceptUser: task.exceptUser }),
    });
  }
}
