/** Groups: roles, join policies and the permission matrix (pure rules). */
import { appError, type ErrorReason } from './errors.js';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const JOIN_POLICIES = ['open', 'approval', 'invite'] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

export interface GroupRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly name: string;
  readonly avatarUrl: string;
  readonly notice: string;
  readonly ownerId: string;
  readonly joinPolicy: JoinPolicy;
  readonly mutedAll: boolean;
  readonly memberCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MemberRecord {
  readonly userId: string;
  readonly role: Role;
  readonly joinedAt: number;
  readonly mutedUntil: number | null;
}

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };

/** Owners and admins manage; an actor acts only on members of a lower role. */
export const outranks = (actor: Role, target: Role): boolean => RANK[actor] > RANK[target];
export const isManager = (role: Role): boolean => role === 'owner' || role === 'admin';

/**
 * The permission matrix. Each check throws PERMISSION_DENIED with the reason, so every
 * transport reports the same thing.
 */
export const permissions = {
  /** Kick or mute: owners act on admins and members, admins on members only. */
  moderate(actor: Role, target: Role): void {
    if (!outranks(actor, target)) {
      throw denied(
        target === 'owner'
          ? 'Nobody can remove or mute the owner.'
          : 'Only a member of a higher role can do that (owners over admins, admins over members).',
      );
    }
  },
  manage(actor: Role): void {
    if (!isManager(actor)) throw denied('Only the owner and admins can do that.');
  },
  own(actor: Role): void {
    if (actor !== 'owner') throw denied('Only the owner can do that.');
  },
  invite(actor: Role, policy: JoinPolicy): void {
    if (!isManager(actor) && policy !== 'open') {
      throw denied('Only the owner and admins can add members to this group.');
    }
  },
  /** Posting: a muted member waits; while everyone is muted only managers talk. */
  post(role: Role, mutedUntil: number | null, mutedAll: boolean, now: number): void {
    if (mutedUntil !== null && mutedUntil > now) {
      throw denied(`You are muted here until ${new Date(mutedUntil).toISOString()}.`, 'MUTED');
    }
    if (mutedAll && !isManager(role))
      throw denied('Only admins can post while everyone is muted.', 'MUTED');
  },
};

const denied = (message: string, reason: ErrorReason = 'ROLE_REQUIRED') =>
  appError(reason, message);

export const GROUP_NAME_MAX = 64;
export const GROUP_NOTICE_MAX = 2_000;
