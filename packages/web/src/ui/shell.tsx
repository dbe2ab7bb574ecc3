import { useEffect, useState } from 'preact/hooks';
import { ChatView } from './chat-view.js';
import { ConversationList } from './conversation-list.js';
import { DevicesPanel } from './devices-panel.js';
import { FriendsPanel } from './friends-panel.js';
import { GroupsPanel } from './groups-panel.js';
import { Avatar } from './avatar.js';
import { useStore } from './use-store.js';

type Tab = 'chats' | 'friends' | 'groups' | 'devices';
const TABS: [Tab, string][] = [
  ['chats', 'Chats'],
  ['friends', 'Friends'],
  ['groups', 'Groups'],
  ['devices', 'Devices'],
];

/** The signed-in screen: a sidebar of panels, the open chat, and the connection banner. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const store = useStore();
  const [tab, setTab] = useState<Tab>('chats');
  const me = store.me;
  const totalUnread = [...store.conversations.values()].reduce((n, c) => n + c.unread_count, 0);

  useEffect(() => {
    document.title = totalUnread > 0 ? `(${totalUnread}) Parley` : 'Parley';
  }, [totalUnread]);

  useEffect(() => {
    const onVisible = () => {
      if (store.activeId !== undefined) store.markRead(store.activeId);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [store]);

  const offline = store.connection === 'reconnecting' || store.connection === 'closed';
  return (
    <div class={store.activeId === undefined ? 'shell' : 'shell chat-open'}>
      {offline && (
        <div class="banner" role="status" aria-live="polite">
          {store.connection === 'closed'
            ? 'Disconnected.'
            : 'Connection lost. Reconnecting… Messages you send will go out once it is back.'}
        </div>
      )}
      {!offline && store.catchingUp && (
        <div class="banner info" role="status" aria-live="polite">
          Reconnected. Catching up…
        </div>
      )}
      <nav class="sidebar" aria-label="Navigation">
        <header class="me">
          <Avatar user={me} online={store.connection === 'open'} />
          <div class="me-name">
            <strong>{me.nickname || me.username || 'Guest'}</strong>
            <span class="muted">{me.is_guest ? 'Guest' : `@${me.username}`}</span>
          </div>
          <button type="button" class="ghost" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <div class="tabs" role="tablist" aria-label="Panels">
          {TABS.map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              id={`tab-${id}`}
              aria-controls="panel"
              aria-selected={tab === id}
              class={tab === id ? 'tab active' : 'tab'}
              onClick={() => setTab(id)}
            >
              {label}
              {id === 'chats' && totalUnread > 0 && (
                <span class="badge" aria-label={`${totalUnread} unread`}>
                  {totalUnread}
                </span>
              )}
            </button>
          ))}
        </div>
        <section id="panel" class="panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
          {tab === 'chats' && <ConversationList />}
          {tab === 'friends' && <FriendsPanel onOpened={() => setTab('chats')} />}
          {tab === 'groups' && <GroupsPanel onOpened={() => setTab('chats')} />}
          {tab === 'devices' && <DevicesPanel />}
        </section>
      </nav>
      <main class="main">
        {store.activeId === undefined ? (
          <div class="empty">
            <p>Pick a conversation, or find friends to talk to.</p>
          </div>
        ) : (
          <ChatView key={store.activeId} id={store.activeId} />
        )}
      </main>
      <div class="toasts" aria-live="polite">
        {store.notices.list.map((n) => (
          <div key={n.id} class="toast" role="status">
            <span>{n.text}</span>
            <button
              type="button"
              class="ghost"
              aria-label="Dismiss"
              onClick={() => store.notices.dismiss(n.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
