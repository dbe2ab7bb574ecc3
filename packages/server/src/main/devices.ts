/** Part of the composition root: the device gateway and its AI link (the `gateway` role). */
import type { Logger } from 'pino';
import { DisabledAiLink } from '../adapters/ai-link/ai-link-disabled.js';
import { GrpcAiLink } from '../adapters/ai-link/ai-link-grpc.js';
import { DeviceDialogue } from '../app/devices/device-dialogue.js';
import { DeviceJournal } from '../app/devices/device-journal.js';
import type { ConversationService } from '../app/messaging/conversation-service.js';
import type { Fanout } from '../app/messaging/fanout.js';
import type { Config } from '../config/schema.js';
import type { DeviceMetrics } from '../observability/device-metrics.js';
import type { AiLink } from '../ports/ai-link.js';
import type { Store } from '../ports/store.js';
import type { Clock, Ids } from '../ports/system.js';
import type { DeviceService } from '../app/devices/device-service.js';
import { DEVICE_PATHS, DeviceGateway } from '../transports/device/device-gateway.js';
import type { UpgradeRouter } from '../transports/shared/upgrade-router.js';
import type { Lifecycle } from './lifecycle.js';
import { runSoon } from './periodic.js';

/**
 * How long what a device records may wait before it is written (one transaction for
 * everything since the last write). The write is scheduled when something is recorded, so a
 * node without devices never wakes for it.
 */
const JOURNAL_FLUSH_MS = 250;
/** Log and event rows that may wait for the store; more are dropped and counted. */
const JOURNAL_MAX_PENDING = 50_000;
/** Frames per second one device may send: 60 ms audio is ~17, 20 ms ~50; bursts for JSON. */
const DEVICE_FRAMES_PER_SECOND = 100;
const DEVICE_FRAME_BURST = 200;
const DEVICE_PING_INTERVAL_MS = 25_000;

export interface DeviceParts {
  readonly ai: AiLink;
  readonly gateway: DeviceGateway;
}

export function composeDevices(deps: {
  config: Config;
  store: Store;
  devices: DeviceService;
  /** Where each turn is posted (the owner's conversation with the assistant). */
  conversations: ConversationService;
  fanout: Fanout;
  lifecycle: Lifecycle;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  metrics: DeviceMetrics;
}): DeviceParts {
  const { config, lifecycle, logger, metrics, clock, ids } = deps;
  const ai = openAiLink(config, { clock, ids, logger, metrics });
  lifecycle.add({ name: 'AI link', start: () => ai.start(), stop: () => ai.stop() });
  const flushing = runSoon(
    JOURNAL_FLUSH_MS,
    () => journal.flush(),
    () => journal.empty,
    logger,
  );
  const journal = new DeviceJournal(deps.store.deviceSessions, {
    maxPendingRows: JOURNAL_MAX_PENDING,
    onDropped: (rows) => metrics.journalRowsDropped.inc(rows),
    onWriteFailed: (err) => logger.warn({ err }, 'device journal not written yet; retrying'),
    onPending: flushing.schedule,
  });
  lifecycle.add({
    name: 'device journal',
    start: async () => {},
    // The last sessions' disconnects are written before the store closes.
    stop: async () => {
      flushing.stop();
      await journal.flush();
    },
  });
  const dialogue = new DeviceDialogue({
    store: deps.store,
    conversations: deps.conversations,
    fanout: deps.fanout,
    clock,
    ids,
    maxContentBytes: config.max_content_bytes,
    onError: (err) => logger.warn({ err }, 'a device turn could not be posted to the conversation'),
  });
  lifecycle.add({ name: 'device assistant', start: () => dialogue.ensureAssistant() });
  const gateway = new DeviceGateway(
    {
      devices: deps.devices,
      session: {
        ai,
        journal,
        clock,
        ids,
        dialogue,
        answerTimeoutMs: config.ai_answer_timeout * 1000,
        meter: {
          audioUp: () => metrics.frameRelayed('up'),
          audioDown: () => metrics.frameRelayed('down'),
          audioDropped: (reason) => metrics.audioDropped.inc({ reason }),
          audioAborted: () => metrics.audioDropped.inc({ reason: 'aborted' }),
        },
      },
      logger,
      onSlowConsumer: () => metrics.slowConsumers.inc(),
      onConnectionsChanged: (open) => metrics.sessions.set(open),
    },
    {
      maxFrameBytes: config.device_max_frame_bytes,
      sendQueueBytes: config.device_send_queue_bytes,
      helloTimeoutMs: config.device_hello_timeout * 1000,
      pingIntervalMs: DEVICE_PING_INTERVAL_MS,
      framesPerSecond: DEVICE_FRAMES_PER_SECOND,
      frameBurst: DEVICE_FRAME_BURST,
    },
  );
  return { ai, gateway };
}

/** The device gateway as a lifecycle part: after the HTTP server, so it closes its devices first. */
export function deviceGatewayPart(gateway: DeviceGateway, upgrades: UpgradeRouter) {
  return {
    name: 'device gateway',
    start: async () => {
      for (const path of DEVICE_PATHS) {
        upgrades.route(path, (req, socket, head, url) =>
          gateway.handleUpgrade(req, socket, head, url),
        );
      }
      gateway.start();
    },
    stop: () => gateway.close(),
  };
}

function openAiLink(
  config: Config,
  deps: { clock: Clock; ids: Ids; logger: Logger; metrics: DeviceMetrics },
): AiLink {
  if (config.ai_addr === undefined) {
    deps.logger.warn('no AI service configured (PARLEY_AI_ADDR): devices will be told so');
    return new DisabledAiLink();
  }
  const { metrics, logger } = deps;
  return new GrpcAiLink(
    {
      addr: config.ai_addr,
      streams: config.ai_streams,
      keepaliveMs: config.ai_keepalive_ms,
      keepaliveTimeoutMs: config.ai_keepalive_timeout_ms,
      reconnectMaxMs: config.ai_reconnect_max_ms,
      sessionQueue: config.ai_session_queue,
    },
    {
      now: () => deps.clock.now(),
      nextId: () => deps.ids.next(),
      onDropped: () => metrics.audioDropped.inc({ reason: 'late' }),
      onCongested: () => metrics.aiCongested.inc(),
      onReconnect: () => {
        metrics.aiReconnects.inc();
        logger.info('a stream to the AI service is open again');
      },
      onWarning: (what, detail) => {
        const broke = what.includes('broke');
        metrics.aiWarnings.inc({ what: broke ? 'stream_broken' : 'response_dropped' });
        // A chatty AI service answering sessions that just ended must not flood the log.
        if (broke) logger.warn(detail, what);
        else logger.debug(detail, what);
      },
    },
  );
}
