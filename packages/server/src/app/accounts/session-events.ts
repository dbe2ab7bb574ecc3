import type { RevokeReason } from '../../domain/session.js';
import { userTopic, type Bus } from '../../ports/bus.js';
import { CLOSE } from '../../protocol/ws-frames.js';

const REASONS: Record<RevokeReason, string> = {
  logout: 'logged out',
  replaced: 'signed in again on this device',
  revoked_by_user: 'logged out from another device',
  refresh_token_reused: 'refresh token reused',
};

/** Closes the live connections of a session that has just ended, wherever they are. */
export function announceSessionEnded(
  bus: Bus | undefined,
  userId: string,
  sessionId: string,
  reason: RevokeReason,
): void {
  bus?.publish(userTopic(userId), {
    control: {
      kind: 'close-session',
      sessionId,
      code: CLOSE.sessionEnded,
      reason: REASONS[reason],
    },
  });
}
