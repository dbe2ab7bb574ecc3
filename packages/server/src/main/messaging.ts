/** Part of the composition root: the messaging and group use cases, without any edge. */
import type { Logger } from 'pino';
import { ConversationAccess } from '../app/messaging/access.js';
import { ConversationService } from '../app/messaging/conversation-service.js';
import { EditService } from '../app/messaging/edit-service.js';
import { ExtensionFlow } from '../app/messaging/extension-flow.js';
import { ExtensionJobs } from '../app/messaging/extension-jobs.js';
import { LargeGroupFanout } from '../app/cluster/large-group-fanout.js';
import { largeGroupCodec } from '../protocol/large-group-codec.js';
import type { ExtensionGateway } from '../app/messaging/extension-gateway.js';
import { ExtensionResults } from '../app/messaging/extension-results.js';
import { Fanout } from '../app/messaging/fanout.js';
import { HistoryService } from '../app/messaging/history-service.js';
import { MessagingService } from '../app/messaging/messaging-service.js';
import { PostingRules } from '../app/messaging/posting-rules.js';
import { ReceiptService } from '../app/messaging/receipt-service.js';
import type { SendPolicy } from '../app/messaging/send-policy.js';
import { GroupAdmission } from '../app/groups/group-admission.js';
import type { GroupAddPolicy } from '../app/groups/group-add-policy.js';
import { GroupEvents } from '../app/groups/group-events.js';
import { GroupService } from '../app/groups/group-service.js';
import { MembershipService } from '../app/groups/membership-service.js';
import { ModerationService } from '../app/groups/moderation-service.js';
import { WorldService } from '../app/groups/world-service.js';
import type { Config } from '../config/schema.js';
import type { CacheSync } from '../app/cluster/cache-sync.js';
import type { Bus } from '../ports/bus.js';
import type { CallbackTokens } from '../ports/extensions.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { Store } from '../ports/store.js';
import type { TaskQueue } from '../ports/task-queue.js';
import type { Clock, Ids } from '../ports/system.js';
import type { GroupServices } from '../transports/http/routes/group-routes.js';
import type { WsServices } from '../transports/ws/ws-ops.js';

/**
 * A group commit's wait for more messages on a database over the network, while at least
 * three come in per this time. On a quiet 2-core machine at 2,000 msgs/s a cluster without
 * it wrote batches of one or two, and each statement, and the publishes of what it stored,
 * cost PostgreSQL, NATS and the gateways far more than a row does; 15 ms against 10 cut the
 * cluster's CPU per message by a tenth at a p99 still half the target (docs/performance.md).
 */
const NETWORK_LINGER_MS = 15;

export interface MessagingParts {
  readonly services: WsServices;
  readonly extensionFlow: ExtensionFlow;
  /** The workers' half of extension messages (TaskQueue handlers, the retry schedule). */
  readonly extensionJobs: ExtensionJobs;
  readonly groups: GroupServices;
  readonly worlds: WorldService;
  /** Publishes conversation events (the WebSocket gateway's presence uses it too). */
  readonly fanout: Fanout;
}

export function composeMessaging(deps: {
  config: Config;
  /** Keeps the conversation cache true across nodes. */
  cacheSync: CacheSync;
  store: Store;
  bus: Bus;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Who may message whom one to one (friendships, blocks, guests). */
  sendPolicy: SendPolicy;
  /** Who may be put into a group without being asked (the others are invited). */
  groupAddPolicy: GroupAddPolicy;
  limiter: RateLimiter;
  /** Extension services for the types that are not built in. */
  extensions: ExtensionGateway;
  /** host:port of the extension callback service. */
  callbackAddr: () => string;
  /** Checks the token of every result an extension reports. */
  callbackTokens: CallbackTokens;
  /** Durable background work (extension calls, large-group fan-out). */
  tasks: TaskQueue;
  /** Groups over the threshold fan out from the workers (the cluster shape only). */
  workerFanout: boolean;
}): MessagingParts {
  const { config, store, bus, clock, ids, logger, tasks } = deps;
  const access = new ConversationAccess(store, deps.cacheSync);
  const large = deps.workerFanout
    ? new LargeGroupFanout(
        {
          store,
          tasks,
          clock,
          codec: largeGroupCodec,
          onError: (err, conversationId) =>
            logger.warn({ err, conversation_id: conversationId }, 'large-group fan-out failed'),
        },
        { threshold: config.fanout_worker_threshold },
      )
    : undefined;
  const fanout = new Fanout(bus, large);
  const policy = deps.sendPolicy;
  const conversations = new ConversationService({ store, access, bus, clock, policy });
  const posting = new PostingRules({ access, policy, clock });
  const results = new ExtensionResults(
    {
      store,
      access,
      fanout,
      clock,
      onInvalid: (reason) => logger.warn({ reason }, 'ignoring an invalid generated message'),
    },
    config.max_content_bytes,
  );
  const onExtError = (err: unknown, context: string) =>
    logger.warn({ err, context }, 'extension call failed');
  const extensionJobs = new ExtensionJobs({
    store,
    access,
    gateway: deps.extensions,
    results,
    tasks,
    clock,
    ids,
    callbackAddr: deps.callbackAddr,
    onError: onExtError,
    completionDeadlineMs: config.ext_async_deadline * 1000,
  });
  const extensionFlow = new ExtensionFlow({
    store,
    access,
    gateway: deps.extensions,
    results,
    jobs: extensionJobs,
    clock,
    ids,
    callbackAddr: deps.callbackAddr,
    callbackTokens: deps.callbackTokens,
    onError: onExtError,
  });
  const services: WsServices = {
    conversations,
    messaging: new MessagingService(
      { store, conversations, fanout, clock, ids, policy, posting, extensions: extensionFlow },
      {
        maxContentBytes: config.max_content_bytes,
        maxBatch: config.commit_max_batch,
        maxPending: config.commit_max_pending,
        lingerMs: config.commit_linger_ms ?? (store.engine === 'sqlite' ? 0 : NETWORK_LINGER_MS),
      },
    ),
    history: new HistoryService({ store, access }),
    receipts: new ReceiptService({ store, access, fanout, posting }),
    edits: new EditService(
      { store, access, posting, fanout, clock },
      { recallWindowMs: config.recall_window * 1000, maxContentBytes: config.max_content_bytes },
    ),
  };
  const events = new GroupEvents(bus, fanout, access);
  const guestsRestricted = config.guest_policy === 'restricted';
  const maxMembers = config.group_max_members;
  const admission = new GroupAdmission({ store, policy: deps.groupAddPolicy, events, clock });
  const groupService = new GroupService(
    { store, access, events, admission, limiter: deps.limiter, clock, ids },
    {
      maxMembers,
      guestsRestricted,
      membersPerRequest: config.group_members_per_request,
      creates: { limit: config.group_create_limit, windowMs: config.rate_limit_window * 1000 },
    },
  );
  const groups: GroupServices = {
    groups: groupService,
    membership: new MembershipService(
      { store, groups: groupService, admission, events, clock },
      { maxMembers },
    ),
    moderation: new ModerationService({ store, events, clock }),
  };
  const worlds = new WorldService(
    { store, access, events, clock, ids },
    { guestsRestricted, maxMembers },
  );
  return { services, extensionFlow, extensionJobs, groups, worlds, fanout };
}
