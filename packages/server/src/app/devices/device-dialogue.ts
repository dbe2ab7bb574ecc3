import { toPublicMessage } from '../../domain/message.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import { encodeContent } from '../../protocol/message-content.js';
import type { ConversationService } from '../messaging/conversation-service.js';
import type { Fanout } from '../messaging/fanout.js';

/** The assistant: the bot user every owner's device dialogue is with. */
export const ASSISTANT_ID = 'assistant';
const ASSISTANT_NAMES = ['assistant', 'parley-assistant'];

export interface DeviceDialogueDeps {
  readonly store: Pick<Store, 'users' | 'messages'>;
  readonly conversations: Pick<ConversationService, 'ensureSingle'>;
  readonly fanout: Pick<Fanout, 'toConversation'>;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly maxContentBytes: number;
  readonly onError: (err: unknown) => void;
}

/** One device session's side of the dialogue (see DeviceDialogue). */
export interface SessionDialogue {
  /** What the user said (the AI's stt, or a typed chat). */
  userSaid(text: string): void;
  /** The AI's llm text: the reply when the AI speaks no sentences of its own. */
  aiWrote(text: string): void;
  /** A sentence the AI speaks (tts sentence_start): the reply grows by it. */
  aiSaid(text: string): void;
  /** The AI's reply is complete (tts stop, an abort, a lost stream, a text-only reply over). */
  aiDone(): void;
  /**
   * The device starts a turn: a reply the AI gave as llm text only (no tts) is committed now,
   * before what the user says next.
   */
  nextTurn(): void;
}

/**
 * The dialogue in IM (seed 002, issue 14): each device turn — what the user said, the AI's
 * reply — is posted into the single conversation of the owner and the assistant bot, so that
 * it is in the owner's history on every device. The reply is stored pending when it starts,
 * streams as `message.updated` (partial) deltas and is committed once (`sent`), keeping its
 * seq. Writes of one session run in order; a failure is reported and the session goes on.
 */
export class DeviceDialogue {
  readonly #deps: DeviceDialogueDeps;

  constructor(deps: DeviceDialogueDeps) {
    this.#deps = deps;
  }

  /** Creates the assistant user once (at start; idempotent across nodes and restarts). */
  async ensureAssistant(): Promise<void> {
    const { store, clock } = this.#deps;
    if ((await store.users.findById(ASSISTANT_ID)) !== undefined) return;
    for (const username of ASSISTANT_NAMES) {
      if ((await store.users.findByUsername(username)) !== undefined) continue;
      try {
        await store.users.insert({
          id: ASSISTANT_ID,
          username,
          passwordHash: null,
          nickname: 'Assistant',
          avatarUrl: '',
          bio: 'The AI your devices talk to.',
          isGuest: false,
          createdAt: clock.now(),
          updatedAt: clock.now(),
        });
        return;
      } catch (err) {
        // Another node made it meanwhile.
        if ((await store.users.findById(ASSISTANT_ID)) !== undefined) return;
        throw err;
      }
    }
  }

  forSession(sessionId: string, ownerId: string): SessionDialogue {
    let chain: Promise<void> = Promise.resolve();
    let serial = 0;
    let reply: { id: string; conversationId: string; seq: number; text: string } | undefined;
    let replyText = '';
    let llmText = '';
    let spoke = false;
    // This turn's reply was llm text only and is committed: a late tts of it is not a new reply.
    let answered = false;
    const later = (job: () => Promise<void>) => {
      chain = chain.then(job).catch((err: unknown) => this.#deps.onError(err));
    };
    const conversation = async () => {
      const { id } = await this.#deps.conversations.ensureSingle(ownerId, ASSISTANT_ID);
      return { id, type: 'single' as const };
    };
    const content = (text: string) =>
      encodeContent('text', { text: text.slice(0, 4_000) }, this.#deps.maxContentBytes);
    const append = async (senderId: string, text: string, status: 'sent' | 'pending') => {
      const ref = await conversation();
      const [result] = await this.#deps.store.messages.appendBatch([
        {
          id: this.#deps.ids.next(),
          conversationId: ref.id,
          senderId,
          clientMsgId: `dev-${sessionId}-${++serial}`,
          type: 'text',
          content: content(text),
          status,
          createdAt: this.#deps.clock.now(),
        },
      ]);
      if (result === undefined) return undefined;
      this.#deps.fanout.toConversation(ref, 'message.new', {
        message: toPublicMessage(result.message),
      });
      return result.message;
    };
    const grow = (text: string) => {
      if (text.trim() === '') return;
      replyText = replyText === '' ? text : `${replyText} ${text}`;
      const snapshot = replyText;
      later(async () => {
        if (reply === undefined) {
          const stored = await append(ASSISTANT_ID, snapshot, 'pending');
          if (stored !== undefined) {
            reply = {
              id: stored.id,
              conversationId: stored.conversationId,
              seq: stored.seq,
              text: snapshot,
            };
          }
          return;
        }
        const updated = await this.#deps.store.messages.updatePendingContent(
          reply.id,
          content(snapshot),
        );
        reply.text = snapshot;
        if (updated !== undefined) {
          this.#deps.fanout.toConversation(
            { id: reply.conversationId, type: 'single' },
            'message.updated',
            { message: toPublicMessage(updated), partial: true },
          );
        }
      });
    };
    const done = (): void => {
      if (!spoke && llmText !== '') {
        grow(llmText);
        answered = true;
      }
      spoke = false;
      llmText = '';
      const finalText = replyText;
      replyText = '';
      later(async () => {
        const finished = reply;
        reply = undefined;
        if (finished === undefined) return;
        const applied = await this.#deps.store.messages.applyChange(
          finished.conversationId,
          finished.seq,
          { kind: 'status', status: 'sent', content: content(finalText || finished.text) },
          this.#deps.clock.now(),
        );
        if (applied !== undefined) {
          this.#deps.fanout.toConversation(
            { id: finished.conversationId, type: 'single' },
            'message.updated',
            {
              message: toPublicMessage(applied.message),
              change_seq: applied.change.changeSeq,
            },
          );
        }
      });
    };
    return {
      userSaid: (text) => {
        if (text.trim() === '') return;
        later(async () => void (await append(ownerId, text, 'sent')));
      },
      aiWrote: (text) => {
        if (text !== '' && !answered) llmText = text;
      },
      aiSaid: (text) => {
        if (answered) return;
        if (text.trim() !== '') spoke = true;
        grow(text);
      },
      nextTurn: () => {
        if (!spoke && replyText === '' && llmText !== '') done();
        answered = false;
      },
      aiDone: () => done(),
    };
  }
}
