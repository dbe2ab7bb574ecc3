import type { AuthContext } from '../accounts/auth-context.js';

/** What becomes of the users someone puts into a group. */
export interface AdmissionPlan {
  /** Added at once. */
  readonly add: readonly string[];
  /** Invited: they become members only by accepting. */
  readonly invite: readonly string[];
  /**
   * Neither added nor invited, because they blocked the adder. The answer lists them as
   * invited, so that a block stays as silent here as it is everywhere else.
   */
  readonly withheld: readonly string[];
}

/**
 * Who may be put into a group without being asked (`group_add_policy`). Asked for every
 * user named when a group is created or members are added, so it answers from memory in the
 * common case, like the one-to-one SendPolicy.
 */
export interface GroupAddPolicy {
  plan(actor: AuthContext, userIds: readonly string[]): Promise<AdmissionPlan>;
}
