import type { ChatStore } from './chat-store.js';

interface SocialEventData {
  request?: { from_user_id?: string };
  invitation?: { group_name?: string };
  conversation_id?: string;
  user_id?: string;
  reason?: string;
}

/** Friend and group events: a notice for the person, the conversation list kept right. */
export function onSocialEvent(store: ChatStore, name: string, data: unknown): void {
  store.socialVersion += 1;
  const d = data as SocialEventData;
  if (name === 'friend.request' && d.request?.from_user_id !== store.me.user_id) {
    const from = d.request?.from_user_id ?? '';
    void store.social.user(from).then(
      (user) => {
        store.people.remember([user]);
        store.notices.notify(`New friend request from ${user.nickname || user.username}`);
      },
      () => store.notices.notify('New friend request'),
    );
  } else if (name === 'group.invited') {
    store.notices.notify(`You are invited to the group ${d.invitation?.group_name ?? ''}`);
  } else if (name === 'group.member_joined' && d.conversation_id !== undefined) {
    if (!store.conversations.has(d.conversation_id))
      void store.fetchConversation(d.conversation_id);
  } else if (name === 'group.member_left' && d.user_id === store.me.user_id && d.conversation_id) {
    if (d.reason === 'kicked') store.notices.notify('You were removed from a group.');
    store.leaveConversation(d.conversation_id);
  } else if (name === 'group.dissolved' && d.conversation_id !== undefined) {
    store.leaveConversation(d.conversation_id);
  }
  store.changed();
}
