/** Who must hold what in a fault test: each conversation's member clients against what was acked. */
import { verify, type Verdict } from '../chaos/verify.js';
import { storedMessages } from './cluster-probes.js';
import type { RoamingClient } from './roaming-client.js';

/** conversation id → client_msg_id → acknowledged seq (Traffic.ackedByConversation). */
export type Acked = ReadonlyMap<string, ReadonlyMap<string, number>>;

export class Audience {
  readonly #members = new Map<string, readonly RoamingClient[]>();

  /** The clients of a conversation's members; the first one reads its history back. */
  add(conversationId: string, members: readonly RoamingClient[]): this {
    this.#members.set(conversationId, members);
    return this;
  }

  /** "<client> in <conversation>" for every member that lacks some acknowledged message. */
  lacking(acked: Acked): string[] {
    return [...acked].flatMap(([conversationId, ids]) =>
      (this.#members.get(conversationId) ?? [])
        .filter((m) => !m.holds(conversationId, ids.values()))
        .map((m) => `${m.name} in ${conversationId}`),
    );
  }

  /** Acknowledged messages missing, counted once per member that lacks them. */
  missing(acked: Acked): number {
    let count = 0;
    for (const [conversationId, ids] of acked) {
      for (const member of this.#members.get(conversationId) ?? []) {
        for (const seq of ids.values()) if (!member.holds(conversationId, [seq])) count++;
      }
    }
    return count;
  }

  /** Reads every conversation back through the api and compares it with what was acked. */
  async verifyStore(api: string, acked: Acked): Promise<Verdict> {
    const stored = await Promise.all(
      [...acked.keys()].map(async (id) => {
        const reader = this.#members.get(id)?.[0];
        if (reader === undefined) throw new Error(`no member of ${id} to read it`);
        return [id, await storedMessages(api, reader.account.access_token, id)] as const;
      }),
    );
    return verify(acked, new Map(stored));
  }
}
