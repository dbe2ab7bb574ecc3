import { z } from 'zod';
import type { BridgeReadService } from '../../app/bridges/bridge-read.js';
import { appError } from '../../domain/errors.js';
import { bridgeTopic } from '../../ports/bus.js';
import { MAX_BRIDGE_KEY } from '../../protocol/bridge-sync.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { Hub } from './hub.js';
import { op, type Op } from './ws-ops.js';

/** Bridge accounts one connection may follow at once. */
export const MAX_BRIDGE_SUBSCRIPTIONS = 100;

const BridgeAccountData = z.object({ account_id: z.string().min(1).max(MAX_BRIDGE_KEY) }).strict();

const isBridgeTopic = (topic: string) => topic.startsWith(bridgeTopic(''));

/**
 * `bridge.subscribe` / `bridge.unsubscribe` (BRIDGE.md, "Live"): a connection of a user granted
 * the account starts (stops) receiving its `bridge.updated` events, from whichever node the
 * worker pushed to (the account's bus topic). A withdrawn grant ends the subscription too
 * (the hub's `unsubscribe-bridge` control, app/bridges/bridge-grants.ts).
 */
export function bridgeOps(deps: {
  read: Pick<BridgeReadService, 'authorize'>;
  hub: Pick<Hub, 'joinTopic' | 'leaveTopic'>;
}): [string, Op<z.ZodType>][] {
  return [
    [
      'bridge.subscribe',
      op(BridgeAccountData, async (d, auth, _origin, conn: GatewayConnection) => {
        await deps.read.authorize(auth.userId, d.account_id);
        const topic = bridgeTopic(d.account_id);
        const following = [...conn.topics].filter(isBridgeTopic).length;
        if (!conn.topics.has(topic) && following >= MAX_BRIDGE_SUBSCRIPTIONS) {
          throw appError(
            'RESOURCE_EXHAUSTED',
            `A connection follows at most ${MAX_BRIDGE_SUBSCRIPTIONS} bridge accounts.`,
          );
        }
        deps.hub.joinTopic(conn, topic);
        // A withdrawal that committed between the check and the join told this node before
        // the connection followed the account, so it could not end the subscription: checking
        // again after the join catches it (one that commits later finds the connection joined).
        try {
          await deps.read.authorize(auth.userId, d.account_id);
        } catch (err) {
          deps.hub.leaveTopic(conn, topic);
          throw err;
        }
        return { account_id: d.account_id };
      }),
    ],
    [
      'bridge.unsubscribe',
      op(BridgeAccountData, async (d, _auth, _origin, conn: GatewayConnection) => {
        deps.hub.leaveTopic(conn, bridgeTopic(d.account_id));
        return { account_id: d.account_id };
      }),
    ],
  ];
}
