import type { AuthContext } from '../accounts/auth-context.js';

/**
 * Who may talk to whom one to one (DM policy, blocks, guest rules). Checked when a single
 * conversation is opened and on every send into one, so it must answer from memory in the
 * common case: implementations keep cached views of friendships and blocks.
 */
export interface SendPolicy {
  /** Throws PERMISSION_DENIED when `auth` may not message `peerId`. */
  assertCanMessage(auth: AuthContext, peerId: string): Promise<void>;
}

/** No rules: anyone may message anyone. */
export const OPEN_SEND_POLICY: SendPolicy = {
  assertCanMessage: async () => {},
};
