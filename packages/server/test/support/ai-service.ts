/** The reference AI service (examples/ai-service), in-process, for device tests. */
// @ts-expect-error: a plain ES module without types (the example users run as is).
import { startAiService as start } from '../../../../examples/ai-service/index.mjs';

export interface AiServiceStats {
  streams: number;
  requests: Record<number, number>;
  audioIn: number;
  aborts: number;
  mcpResults: unknown[];
  sessions: Set<string>;
  /** The last requests other than audio, as decoded by grpc-js (camelCase fields). */
  recent: AiRequest[];
}

/** A ChatRequest as the reference AI service received it. */
export interface AiRequest {
  messageId: string;
  deviceId: string;
  type: number;
  timestamp: number | string;
  sessionId: string;
  userId: string;
  clientId: string;
  vision?: AiImage;
  image?: AiImage;
  mcp?: { payloadJson: string };
  [content: string]: unknown;
}

export interface AiImage {
  url: string;
  data: Buffer;
  mime: string;
  question: string;
}

export interface AiService {
  readonly port: number;
  readonly addr: string;
  readonly stats: AiServiceStats;
  breakStreams(): void;
  openStreams(): number;
  sessionsPerStream(): number[];
  close(): Promise<void>;
}

export interface AiServiceOptions {
  port?: number;
  replyFrames?: number;
  frameIntervalMs?: number;
  bitrate?: number;
}

export const startAiService = (options: AiServiceOptions = {}): Promise<AiService> =>
  (start as (o: AiServiceOptions) => Promise<AiService>)({ port: 0, ...options });
