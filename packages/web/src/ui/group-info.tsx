import type { Conversation } from '@parley/client';
import { useState } from 'preact/hooks';
import { groupIdOf, type Role } from '../api/social.js';
import { useAction, useAsync } from './use-async.js';
import { useStore } from './use-store.js';
import { ErrorLine } from './error-line.js';

const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** A group's members with their roles, invite, leave, and the owner's and admins' moderation. */
export function GroupInfo({ conversation }: { conversation: Conversation }) {
  const store = useStore();
  const { social } = store;
  const groupId = groupIdOf(conversation.conversation_id);
  const data = useAsync(async () => {
    const [group, members, friends] = await Promise.all([
      social.group(groupId),
      social.members(groupId),
      social.friends(),
    ]);
    store.people.remember(friends);
    return { group, members, friends };
  }, [groupId, store.socialVersion]);
  const [invite, setInvite] = useState('');
  const action = useAction();
  const d = data.data;
  const myRole = d?.members.find((m) => m.user_id === store.me.user_id)?.role ?? 'member';
  const canModerate = (role: Role) =>
    myRole === 'owner' ? role !== 'owner' : myRole === 'admin' && role === 'member';
  const memberIds = new Set(d?.members.map((m) => m.user_id));
  const invitable = d?.friends.filter((f) => !memberIds.has(f.user_id)) ?? [];

  return (
    <aside class="info" aria-label="Group members">
      <h3>{d?.group.group_name ?? conversation.name}</h3>
      <ErrorLine text={data.error} />
      <ErrorLine text={action.error} />
      {d !== undefined && (
        <>
          {(myRole === 'owner' || myRole === 'admin') && (
            <label class="check">
              <input
                type="checkbox"
                checked={d.group.muted_all}
                onChange={(e) =>
                  void action.act(
                    () => social.muteAll(groupId, e.currentTarget.checked),
                    data.reload,
                  )
                }
              />
              Only owner and admins may post
            </label>
          )}
          <ul class="people members" aria-label="Members">
            {d.members.map((m) => (
              <li key={m.user_id}>
                <span class="grow">
                  {store.people.nameOf(m.user_id)}
                  {m.user_id === store.me.user_id && <span class="muted"> (you)</span>}
                </span>
                <span class={`role ${m.role}`}>{ROLE_NAMES[m.role]}</span>
                {m.muted_until !== null && m.muted_until > Date.now() && (
                  <span class="muted small">muted</span>
                )}
                {canModerate(m.role) && (
                  <span class="row-actions">
                    {myRole === 'owner' && (
                      <button
                        type="button"
                        class="ghost small"
                        onClick={() =>
                          void action.act(
                            () =>
                              social.setRole(
                                groupId,
                                m.user_id,
                                m.role === 'admin' ? 'member' : 'admin',
                              ),
                            data.reload,
                          )
                        }
                      >
                        {m.role === 'admin' ? 'Demote' : 'Make admin'}
                      </button>
                    )}
                    <button
                      type="button"
                      class="ghost small"
                      onClick={() =>
                        void action.act(
                          () => social.mute(groupId, m.user_id, m.muted_until ? 0 : 3600),
                          data.reload,
                        )
                      }
                    >
                      {m.muted_until !== null && m.muted_until > Date.now() ? 'Unmute' : 'Mute 1 h'}
                    </button>
                    <button
                      type="button"
                      class="ghost small danger"
                      onClick={() =>
                        void action.act(() => social.kick(groupId, m.user_id), data.reload)
                      }
                    >
                      Remove
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {invitable.length > 0 && (
            <form
              class="search"
              onSubmit={(e) => {
                e.preventDefault();
                if (invite === '') return;
                void action.act(async () => {
                  const r = await social.addMembers(groupId, [invite]);
                  store.notices.notify(
                    r.added.length > 0
                      ? 'Added to the group.'
                      : 'Invited: they join once they accept.',
                  );
                  setInvite('');
                }, data.reload);
              }}
            >
              <label class="grow">
                <span class="sr-only">Friend to invite</span>
                <select value={invite} onChange={(e) => setInvite(e.currentTarget.value)}>
                  <option value="">Invite a friend…</option>
                  {invitable.map((f) => (
                    <option key={f.user_id} value={f.user_id}>
                      {f.nickname || f.username}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">Invite</button>
            </form>
          )}
          {myRole !== 'owner' && (
            <button
              type="button"
              class="danger"
              onClick={() =>
                void action.act(async () => {
                  await social.leave(groupId);
                  store.leaveConversation(conversation.conversation_id);
                })
              }
            >
              Leave group
            </button>
          )}
        </>
      )}
    </aside>
  );
}
