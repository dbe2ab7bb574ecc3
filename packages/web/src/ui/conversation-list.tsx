import type { Conversation } from '@parley/client';
import type { ChatStore } from '../state/chat-store.js';
import { Avatar, presenceLabel } from './avatar.js';
import { preview, shortTime } from './format.js';
import { useStore } from './use-store.js';

export function conversationTitle(store: ChatStore, c: Conversation): string {
  if (c.type === 'single' && c.peer !== null) return c.peer.nickname || c.peer.username;
  if (c.name !== '') return c.name;
  return c.type === 'world' ? 'World lobby' : 'Group';
}

/** Conversations by most recent activity, with unread badges, last message and time. */
export function ConversationList() {
  const store = useStore();
  const list = store.sortedConversations();
  return (
    <div class="list-wrap">
      {store.listError !== undefined && (
        <p class="error" role="alert">
          {store.listError}{' '}
          <button type="button" class="link" onClick={() => void store.reloadConversations()}>
            Retry
          </button>
        </p>
      )}
      {list.length === 0 && store.listError === undefined && (
        <p class="muted pad">
          No conversations yet. Add a friend or join the world lobby (Groups).
        </p>
      )}
      <ul class="conversations" aria-label="Conversations">
        {list.map((c) => {
          const title = conversationTitle(store, c);
          const online = c.peer !== null ? store.people.presence.get(c.peer.user_id) : undefined;
          const active = store.activeId === c.conversation_id;
          const typing = store.receipts.typingIn(c.conversation_id).length > 0;
          const when = c.last_message?.created_at ?? c.created_at;
          const label = [
            title,
            presenceLabel(online),
            c.unread_count > 0 ? `${c.unread_count} unread` : '',
          ]
            .filter(Boolean)
            .join(', ');
          return (
            <li key={c.conversation_id}>
              <button
                type="button"
                class={active ? 'conversation active' : 'conversation'}
                aria-current={active ? 'true' : undefined}
                aria-label={label}
                data-conversation={c.conversation_id}
                onClick={() => store.open(c.conversation_id)}
              >
                <Avatar user={c.peer ?? undefined} name={title} online={online} />
                <span class="conv-main">
                  <span class="conv-top">
                    <span class="conv-title">{title}</span>
                    <time class="muted small">{shortTime(when)}</time>
                  </span>
                  <span class="conv-bottom">
                    <span class={typing ? 'conv-preview typing' : 'conv-preview muted'}>
                      {typing ? 'typing…' : preview(c.last_message)}
                    </span>
                    {c.unread_count > 0 && (
                      <span class="badge" aria-hidden="true">
                        {c.unread_count > 99 ? '99+' : c.unread_count}
                      </span>
                    )}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
