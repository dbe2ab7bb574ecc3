import { useState } from 'preact/hooks';
import type { ShownMessage } from '../state/thread.js';
import { presenceLabel } from './avatar.js';
import { preview } from './format.js';
import { Composer } from './composer.js';
import { conversationTitle } from './conversation-list.js';
import { GroupInfo } from './group-info.js';
import { MessageItem } from './message-item.js';
import { useStore } from './use-store.js';
import { VirtualList } from './virtual-list.js';

/** One conversation: its history (virtualised, older pages on scroll up) and the composer. */
export function ChatView({ id }: { id: string }) {
  const store = useStore();
  const [editing, setEditing] = useState<ShownMessage | undefined>();
  const [info, setInfo] = useState(false);
  const [sent, setSent] = useState(0);
  const c = store.conversations.get(id);
  const thread = store.thread(id);
  if (c === undefined) {
    return (
      <div class="empty">
        <p>This conversation is no longer available.</p>
      </div>
    );
  }
  const title = conversationTitle(store, c);
  // The newest message from someone else, for screen readers.
  const latest = thread.stored.findLast((m) => m.sender_id !== store.me.user_id);
  const items = [...thread.stored, ...thread.unsent];
  const online = c.peer !== null ? store.people.presence.get(c.peer.user_id) : undefined;
  const typers = store.receipts.typingIn(id).map((u) => store.people.nameOf(u));
  const subtitle =
    typers.length > 0
      ? `${typers.join(', ')} ${typers.length === 1 ? 'is' : 'are'} typing…`
      : c.type === 'single'
        ? presenceLabel(online)
        : `${c.member_count} members`;

  const header = thread.loading ? (
    <p class="history-note" role="status">
      Loading earlier messages…
    </p>
  ) : thread.error !== undefined ? (
    <p class="history-note error" role="alert">
      {thread.error}{' '}
      <button type="button" class="link" onClick={() => void store.loadOlder(id, !thread.loaded)}>
        Retry
      </button>
    </p>
  ) : thread.loaded && !thread.hasMore ? (
    <p class="history-note muted">This is the start of the conversation.</p>
  ) : (
    <p class="history-note" />
  );

  return (
    <section class="chat" aria-label={`Conversation with ${title}`}>
      <header class="chat-header">
        <button
          type="button"
          class="ghost back"
          onClick={() => store.open(undefined)}
          aria-label="Back to conversations"
        >
          ←
        </button>
        <div class="chat-title">
          <h2>{title}</h2>
          <span
            class={typers.length > 0 ? 'typing small' : 'muted small'}
            aria-live="polite"
            data-testid="chat-subtitle"
          >
            {subtitle}
          </span>
        </div>
        {c.type !== 'single' && (
          <button type="button" class="ghost" aria-expanded={info} onClick={() => setInfo(!info)}>
            {info ? 'Close' : 'Members'}
          </button>
        )}
      </header>
      <div class="chat-body">
        <div class="chat-column">
          <VirtualList
            items={items}
            keyOf={(m) => m.client_msg_id}
            label={`Messages with ${title}`}
            header={header}
            onNearTop={() => void store.loadOlder(id)}
            bottomSignal={sent}
            render={(m, i) => {
              const prev = items[i - 1];
              return (
                <MessageItem
                  store={store}
                  m={m}
                  type={c.type}
                  showSender={c.type !== 'single' && prev?.sender_id !== m.sender_id}
                  onEdit={setEditing}
                />
              );
            }}
          />
          <Composer
            id={id}
            editing={editing}
            onEdited={() => setEditing(undefined)}
            onSent={() => setSent((n) => n + 1)}
          />
          <p class="sr-only" aria-live="polite">
            {latest !== undefined && `${store.people.nameOf(latest.sender_id)}: ${preview(latest)}`}
          </p>
        </div>
        {info && c.type === 'group' && <GroupInfo conversation={c} />}
        {info && c.type === 'world' && (
          <aside class="info" aria-label="About this channel">
            <h3>{title}</h3>
            <p class="muted">A public channel: anyone may join and read along.</p>
            <p>{c.member_count} members</p>
          </aside>
        )}
      </div>
    </section>
  );
}
