import type { User } from '@parley/client';
import { useState } from 'preact/hooks';
import { Avatar, presenceLabel } from './avatar.js';
import { useAction, useAsync } from './use-async.js';
import { useStore } from './use-store.js';
import { ErrorLine } from './error-line.js';

/** Friends: search users, requests in and out, accept or reject, message, remove, block. */
export function FriendsPanel({ onOpened }: { onOpened: () => void }) {
  const store = useStore();
  const { social } = store;
  const data = useAsync(async () => {
    const [friends, incoming, outgoing, blocked] = await Promise.all([
      social.friends(),
      social.requests('incoming'),
      social.requests('outgoing'),
      social.blocked(),
    ]);
    store.people.remember([...friends, ...blocked]);
    return { friends, incoming, outgoing, blocked };
  }, [store.socialVersion]);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<User[] | undefined>();
  const action = useAction();
  const d = data.data;
  const friendIds = new Set(d?.friends.map((f) => f.user_id));

  return (
    <div class="pad stack">
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void action.act(async () => setFound(await social.searchUsers(query.trim())));
        }}
      >
        <label class="grow">
          <span class="sr-only">Find people by username</span>
          <input
            type="search"
            placeholder="Find people by username"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorLine text={action.error} />
      {found !== undefined && (
        <section aria-label="Search results">
          {found.length === 0 && <p class="muted">Nobody by that name.</p>}
          <ul class="people">
            {found
              .filter((u) => u.user_id !== store.me.user_id)
              .map((u) => (
                <li key={u.user_id}>
                  <Avatar user={u} />
                  <span class="grow">
                    {u.nickname || u.username} <span class="muted">@{u.username}</span>
                  </span>
                  {friendIds.has(u.user_id) ? (
                    <span class="muted small">Friend</span>
                  ) : (
                    <button
                      type="button"
                      disabled={action.busy}
                      onClick={() =>
                        void action.act(
                          () => social.requestFriend(u.user_id),
                          () => {
                            store.notices.notify(
                              `Friend request sent to ${u.nickname || u.username}.`,
                            );
                            data.reload();
                          },
                        )
                      }
                    >
                      Add friend
                    </button>
                  )}
                </li>
              ))}
          </ul>
        </section>
      )}
      <ErrorLine text={data.error} />
      {d !== undefined && d.incoming.length > 0 && (
        <section aria-labelledby="incoming-h">
          <h3 id="incoming-h">Requests to you</h3>
          <ul class="people">
            {d.incoming.map((r) => (
              <li key={r.request_id}>
                <span class="grow">
                  {store.people.nameOf(r.from_user_id)}
                  {r.message !== '' && <span class="muted"> “{r.message}”</span>}
                </span>
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    void action.act(() => social.answer(r.request_id, true), data.reload)
                  }
                >
                  Accept
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void action.act(() => social.answer(r.request_id, false), data.reload)
                  }
                >
                  Reject
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {d !== undefined && d.outgoing.length > 0 && (
        <section aria-labelledby="outgoing-h">
          <h3 id="outgoing-h">Your requests</h3>
          <ul class="people">
            {d.outgoing.map((r) => (
              <li key={r.request_id}>
                <span class="grow">{store.people.nameOf(r.to_user_id)}</span>
                <span class="muted small">Waiting</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="friends-h">
        <h3 id="friends-h">Friends</h3>
        {data.loading && d === undefined && <p class="muted">Loading…</p>}
        {d !== undefined && d.friends.length === 0 && (
          <p class="muted">No friends yet: search for someone above.</p>
        )}
        <ul class="people">
          {d?.friends.map((u) => {
            const online = store.people.presence.get(u.user_id);
            return (
              <li
                key={u.user_id}
                aria-label={`${u.nickname || u.username} ${presenceLabel(online)}`}
              >
                <Avatar user={u} online={online} />
                <span class="grow">{u.nickname || u.username}</span>
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    void action.act(async () => {
                      store.addAndOpen(await store.client.createConversation(u.user_id));
                      onOpened();
                    })
                  }
                >
                  Message
                </button>
                <button
                  type="button"
                  onClick={() => void action.act(() => social.removeFriend(u.user_id), data.reload)}
                >
                  Remove
                </button>
                <button
                  type="button"
                  onClick={() => void action.act(() => social.block(u.user_id, true), data.reload)}
                >
                  Block
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      {d !== undefined && d.blocked.length > 0 && (
        <section aria-labelledby="blocked-h">
          <h3 id="blocked-h">Blocked</h3>
          <ul class="people">
            {d.blocked.map((u) => (
              <li key={u.user_id}>
                <span class="grow">{u.nickname || u.username}</span>
                <button
                  type="button"
                  onClick={() => void action.act(() => social.block(u.user_id, false), data.reload)}
                >
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
