import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { AdmissionPlan, GroupAddPolicy } from './group-add-policy.js';
import type { GroupEvents } from './group-events.js';
import { toPublicInvitation } from './group-views.js';

/**
 * Consent to be in a group: splits the users someone names (creating a group or adding
 * members) into those added at once and those invited, per the group-add policy, and records
 * and announces the invitations (`group.invited` to each invitee's devices).
 */
export class GroupAdmission {
  readonly #store: Store;
  readonly #policy: GroupAddPolicy;
  readonly #events: GroupEvents;
  readonly #clock: Clock;

  constructor(deps: { store: Store; policy: GroupAddPolicy; events: GroupEvents; clock: Clock }) {
    this.#store = deps.store;
    this.#policy = deps.policy;
    this.#events = deps.events;
    this.#clock = deps.clock;
  }

  plan(actor: AuthContext, userIds: readonly string[]): Promise<AdmissionPlan> {
    return this.#policy.plan(actor, userIds);
  }

  /** Invites the plan's invitees who are not members; returns the users to report as invited. */
  async invite(
    group: { readonly id: string; readonly conversationId: string; readonly name: string },
    plan: AdmissionPlan,
    by: string,
  ): Promise<string[]> {
    if (plan.invite.length === 0) return [...plan.withheld];
    const now = this.#clock.now();
    const { invited, fresh } = await this.#store.groupInvitations.invite(
      group,
      plan.invite,
      by,
      now,
    );
    for (const userId of fresh) {
      const invitation = toPublicInvitation({
        groupId: group.id,
        groupName: group.name,
        userId,
        invitedBy: by,
        status: 'pending',
        createdAt: now,
        updatedAt: now,
      });
      this.#events.toUsers([userId], 'group.invited', { invitation });
    }
    return [...invited, ...plan.withheld];
  }
}
