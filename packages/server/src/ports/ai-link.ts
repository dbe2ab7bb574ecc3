/**
 * AiLink: the link to the AI service (seed 002) — a few long-lived bidirectional streams, many
 * device sessions multiplexed on each.
 *
 * Guarantees every adapter keeps:
 * - A session is pinned to one stream; its frames reach the AI service in the order sent.
 * - Nothing is unbounded: each session has at most `sessionQueue` frames waiting. Audio that
 *   cannot be written at once (the stream is congested or down) waits in that queue; audio
 *   past the bound is dropped and counted (`send` returns 'dropped'). Control frames are never
 *   dropped: past the bound they still queue, and the session is told to stop reading its
 *   device (`onCongestion(true)`) until the queue drains.
 * - When a stream's write buffer is full, every session on it is told `onCongestion(true)`,
 *   and `onCongestion(false)` once it drained.
 * - When a stream breaks, each of its sessions is told `onStreamLost`, moved to a live stream
 *   (its hello sent again there) and told `onStreamRestored`; the broken stream reconnects with
 *   exponential backoff and jitter.
 * - `abort` frames jump the session's queue.
 */
import type { AiDown, DeviceIdentity, DeviceUp } from '../domain/device.js';

export type AiLinkState = 'connected' | 'connecting' | 'disconnected' | 'disabled';

export interface AiSessionHandlers {
  onMessage(down: AiDown): void;
  /** The session's stream broke; what it sent meanwhile may be lost. */
  onStreamLost(reason: string): void;
  /** The session is on a live stream again. */
  onStreamRestored(): void;
  /** Stop (true) or resume (false) reading the session's device. */
  onCongestion(congested: boolean): void;
}

export type AiSendResult = 'sent' | 'queued' | 'dropped';

export interface AiSession {
  send(up: DeviceUp): AiSendResult;
  /** Drops what still waits and forgets the session (send the `close` frame first). */
  release(): void;
}

export interface AiLinkStats {
  readonly streams: number;
  readonly liveStreams: number;
  readonly sessions: number;
  readonly reconnects: number;
}

export interface AiLink {
  state(): AiLinkState;
  /** Opens (at start) the streams and keeps them open until `stop`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Pins a new session to the stream with the fewest sessions. */
  open(sessionId: string, who: DeviceIdentity, handlers: AiSessionHandlers): AiSession;
  stats(): AiLinkStats;
}
