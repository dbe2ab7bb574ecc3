import type { Conversation, User } from '@parley/client';
import type { Session } from './session.js';

/** The REST API the SDK does not wrap: friends, blocks, groups, worlds (docs/protocol.md). */

export interface FriendRequest {
  request_id: string;
  from_user_id: string;
  to_user_id: string;
  status: 'pending' | 'accepted' | 'rejected' | 'canceled';
  message: string;
  created_at: number;
}

export interface Group {
  group_id: string;
  group_name: string;
  owner_id: string;
  member_count: number;
  notice: string;
  join_policy: 'open' | 'approval' | 'invite';
  muted_all: boolean;
  conversation_id: string;
}

export type Role = 'owner' | 'admin' | 'member';

export interface Member {
  user_id: string;
  role: Role;
  joined_at: number;
  muted_until: number | null;
}

export interface Invitation {
  group_id: string;
  group_name: string;
  invited_by: string;
  status: string;
  created_at: number;
}

export interface World {
  conversation_id: string;
  name: string;
  member_count: number;
}

const enc = encodeURIComponent;

export class SocialApi {
  readonly #s: Session;

  constructor(session: Session) {
    this.#s = session;
  }

  async searchUsers(query: string): Promise<User[]> {
    const params = new URLSearchParams({ query, limit: '20' });
    return (await this.#s.call<{ users: User[] }>('GET', `/v1/users?${params}`)).users;
  }

  async user(userId: string): Promise<User> {
    return (await this.#s.call<{ user: User }>('GET', `/v1/users/${enc(userId)}`)).user;
  }

  async friends(): Promise<User[]> {
    return (await this.#s.call<{ friends: User[] }>('GET', '/v1/friends?limit=100')).friends;
  }

  async requests(direction: 'incoming' | 'outgoing'): Promise<FriendRequest[]> {
    const path = `/v1/friends/requests?direction=${direction}&limit=100`;
    return (await this.#s.call<{ requests: FriendRequest[] }>('GET', path)).requests;
  }

  async requestFriend(userId: string, message?: string): Promise<FriendRequest> {
    const body = { user_id: userId, ...(message ? { message } : {}) };
    return (await this.#s.call<{ request: FriendRequest }>('POST', '/v1/friends/requests', body))
      .request;
  }

  async answer(requestId: string, accept: boolean): Promise<void> {
    const verb = accept ? 'accept' : 'reject';
    await this.#s.call('POST', `/v1/friends/requests/${enc(requestId)}/${verb}`);
  }

  async removeFriend(userId: string): Promise<void> {
    await this.#s.call('DELETE', `/v1/friends/${enc(userId)}`);
  }

  async blocked(): Promise<User[]> {
    return (await this.#s.call<{ users: User[] }>('GET', '/v1/blocks?limit=100')).users;
  }

  async block(userId: string, blocked: boolean): Promise<void> {
    if (blocked) await this.#s.call('POST', '/v1/blocks', { user_id: userId });
    else await this.#s.call('DELETE', `/v1/blocks/${enc(userId)}`);
  }

  async createGroup(
    name: string,
    memberIds: string[],
  ): Promise<{ group: Group; conversation: Conversation; invited: string[] }> {
    return this.#s.call('POST', '/v1/groups', { name, member_ids: memberIds });
  }

  async group(groupId: string): Promise<Group> {
    return (await this.#s.call<{ group: Group }>('GET', `/v1/groups/${enc(groupId)}`)).group;
  }

  async members(groupId: string): Promise<Member[]> {
    const path = `/v1/groups/${enc(groupId)}/members?limit=100`;
    return (await this.#s.call<{ members: Member[] }>('GET', path)).members;
  }

  async addMembers(
    groupId: string,
    userIds: string[],
  ): Promise<{ added: string[]; invited: string[] }> {
    return this.#s.call('POST', `/v1/groups/${enc(groupId)}/members`, { user_ids: userIds });
  }

  async leave(groupId: string): Promise<void> {
    await this.#s.call('POST', `/v1/groups/${enc(groupId)}/leave`);
  }

  async kick(groupId: string, userId: string): Promise<void> {
    await this.#s.call('DELETE', `/v1/groups/${enc(groupId)}/members/${enc(userId)}`);
  }

  async setRole(groupId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
    await this.#s.call('POST', `/v1/groups/${enc(groupId)}/members/${enc(userId)}/role`, { role });
  }

  async mute(groupId: string, userId: string, seconds: number): Promise<void> {
    const path = `/v1/groups/${enc(groupId)}/members/${enc(userId)}/mute`;
    await this.#s.call('POST', path, { duration_s: seconds });
  }

  async muteAll(groupId: string, muted: boolean): Promise<void> {
    await this.#s.call('POST', `/v1/groups/${enc(groupId)}/mute`, { muted });
  }

  async invitations(): Promise<Invitation[]> {
    const path = '/v1/groups/invitations?limit=100';
    return (await this.#s.call<{ invitations: Invitation[] }>('GET', path)).invitations;
  }

  async answerInvitation(groupId: string, accept: boolean): Promise<void> {
    const verb = accept ? 'accept' : 'decline';
    await this.#s.call('POST', `/v1/groups/invitations/${enc(groupId)}/${verb}`);
  }

  async worlds(): Promise<World[]> {
    return (await this.#s.call<{ worlds: World[] }>('GET', '/v1/worlds')).worlds;
  }
}

/** A group conversation's group id: its conversation id is `g_<group_id>`. */
export const groupIdOf = (conversationId: string): string => conversationId.replace(/^g_/, '');
