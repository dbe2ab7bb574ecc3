import { useState } from 'preact/hooks';
import { useAction, useAsync } from './use-async.js';
import { useStore } from './use-store.js';
import { ErrorLine } from './error-line.js';

/** Groups: create one with friends, answer invitations; public channels to join. */
export function GroupsPanel({ onOpened }: { onOpened: () => void }) {
  const store = useStore();
  const { social } = store;
  const data = useAsync(async () => {
    const [friends, invitations, worlds] = await Promise.all([
      social.friends(),
      social.invitations(),
      social.worlds(),
    ]);
    store.people.remember(friends);
    return { friends, invitations, worlds };
  }, [store.socialVersion]);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const action = useAction();
  const d = data.data;

  return (
    <div class="pad stack">
      <form
        class="stack"
        aria-labelledby="new-group-h"
        onSubmit={(e) => {
          e.preventDefault();
          void action.act(async () => {
            const made = await social.createGroup(name.trim(), [...picked]);
            if (made.invited.length > 0)
              store.notices.notify(`${made.invited.length} invited; they join once they accept.`);
            setName('');
            setPicked(new Set());
            store.addAndOpen(made.conversation);
            onOpened();
          });
        }}
      >
        <h3 id="new-group-h">New group</h3>
        <label>
          Group name
          <input
            required
            value={name}
            maxLength={64}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Members</legend>
          {d !== undefined && d.friends.length === 0 && (
            <p class="muted small">Add friends first to invite them.</p>
          )}
          {d?.friends.map((f) => (
            <label key={f.user_id} class="check">
              <input
                type="checkbox"
                checked={picked.has(f.user_id)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if (e.currentTarget.checked) next.add(f.user_id);
                  else next.delete(f.user_id);
                  setPicked(next);
                }}
              />
              {f.nickname || f.username}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" disabled={action.busy}>
          Create group
        </button>
      </form>
      <ErrorLine text={action.error} />
      <ErrorLine text={data.error} />
      {d !== undefined && d.invitations.length > 0 && (
        <section aria-labelledby="inv-h">
          <h3 id="inv-h">Invitations</h3>
          <ul class="people">
            {d.invitations.map((i) => (
              <li key={i.group_id}>
                <span class="grow">
                  {i.group_name}{' '}
                  <span class="muted small">from {store.people.nameOf(i.invited_by)}</span>
                </span>
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    void action.act(async () => {
                      await social.answerInvitation(i.group_id, true);
                      store.addAndOpen(await store.client.conversation(`g_${i.group_id}`));
                      onOpened();
                    })
                  }
                >
                  Join
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void action.act(() => social.answerInvitation(i.group_id, false), data.reload)
                  }
                >
                  Decline
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="worlds-h">
        <h3 id="worlds-h">Public channels</h3>
        <ul class="people">
          {d?.worlds.map((w) => {
            const joined = store.conversations.has(w.conversation_id);
            return (
              <li key={w.conversation_id}>
                <span class="grow">
                  {w.name || 'World lobby'}{' '}
                  <span class="muted small">{w.member_count} members</span>
                </span>
                <button
                  type="button"
                  class={joined ? '' : 'primary'}
                  onClick={() =>
                    void action.act(async () => {
                      if (joined) store.open(w.conversation_id);
                      else store.addAndOpen(await store.client.join(w.conversation_id));
                      onOpened();
                    })
                  }
                >
                  {joined ? 'Open' : 'Join'}
                </button>
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
