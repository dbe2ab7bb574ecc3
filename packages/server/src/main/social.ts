/** Part of the composition root: the social graph's use cases and its send policy. */
import { Fanout } from '../app/messaging/fanout.js';
import type { GroupAddPolicy } from '../app/groups/group-add-policy.js';
import type { SendPolicy } from '../app/messaging/send-policy.js';
import { BlockService } from '../app/social/block-service.js';
import { FriendRequestService } from '../app/social/friend-request-service.js';
import { FriendService } from '../app/social/friend-service.js';
import { SocialEvents } from '../app/social/social-events.js';
import { SocialGraph } from '../app/social/social-graph.js';
import { SocialGroupAddPolicy, type GroupAddMode } from '../app/social/social-group-add-policy.js';
import {
  SocialSendPolicy,
  type DmPolicy,
  type GuestPolicy,
} from '../app/social/social-send-policy.js';
import type { CacheSync } from '../app/cluster/cache-sync.js';
import type { Bus } from '../ports/bus.js';
import type { Store } from '../ports/store.js';
import type { Clock, Ids } from '../ports/system.js';
import type { SocialServices } from '../transports/http/routes/social-routes.js';

export interface SocialParts {
  readonly services: SocialServices;
  /** Who may message whom one to one; the messaging use cases ask it. */
  readonly sendPolicy: SendPolicy;
  /** Who may be put into a group without being asked; the group use cases ask it. */
  readonly groupAddPolicy: GroupAddPolicy;
}

export function composeSocial(deps: {
  store: Store;
  bus: Bus;
  /** Drops changed friend and block sets on the other nodes. */
  cacheSync: CacheSync;
  clock: Clock;
  ids: Ids;
  dmPolicy: DmPolicy;
  guestPolicy: GuestPolicy;
  groupAddPolicy: GroupAddMode;
}): SocialParts {
  const { store, clock, ids, dmPolicy, guestPolicy } = deps;
  // One graph for the use cases that change it and the policy that reads it.
  const graph = new SocialGraph(store, undefined, deps.cacheSync);
  const events = new SocialEvents(new Fanout(deps.bus));
  return {
    services: {
      requests: new FriendRequestService({ store, graph, events, clock, ids }, { guestPolicy }),
      friends: new FriendService({ store, graph, events }),
      blocks: new BlockService({ store, graph, clock }),
    },
    sendPolicy: new SocialSendPolicy({ graph, store }, { dmPolicy, guestPolicy }),
    groupAddPolicy: new SocialGroupAddPolicy({ graph }, { mode: deps.groupAddPolicy }),
  };
}
