import type { AuthContext } from '../accounts/auth-context.js';
import type { AdmissionPlan, GroupAddPolicy } from '../groups/group-add-policy.js';
import type { SocialGraph } from './social-graph.js';

/** friends: only the adder's friends are added, the others invited; anyone: all are added. */
export type GroupAddMode = 'friends' | 'anyone';

/**
 * The group-add policy over the social graph: under `friends` a user is added directly only
 * by a friend, and invited by anyone else; under `anyone` everybody is added. Either way a user
 * who has blocked the adder is neither added nor told.
 */
export class SocialGroupAddPolicy implements GroupAddPolicy {
  readonly #graph: SocialGraph;
  readonly #mode: GroupAddMode;

  constructor(deps: { graph: SocialGraph }, options: { mode: GroupAddMode }) {
    this.#graph = deps.graph;
    this.#mode = options.mode;
  }

  async plan(actor: AuthContext, userIds: readonly string[]): Promise<AdmissionPlan> {
    const add: string[] = [];
    const invite: string[] = [];
    const withheld: string[] = [];
    for (const userId of userIds) {
      if (await this.#graph.isBlockedBy(actor.userId, userId)) withheld.push(userId);
      else if (this.#mode === 'anyone' || (await this.#graph.areFriends(actor.userId, userId)))
        add.push(userId);
      else invite.push(userId);
    }
    return { add, invite, withheld };
  }
}
