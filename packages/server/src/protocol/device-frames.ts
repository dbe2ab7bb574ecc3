/**
 * Device JSON frames (DEVICES.md): both forms a device may send — xiaozhi's flat frames and
 * seed 002's `{type, data, timestamp}` envelope — parsed into one `DeviceUp`, and the frames
 * Parley sends, encoded once.
 */
import { z } from 'zod';
import type { AudioParams, DeviceDown, DeviceUp } from '../domain/device.js';

/** Close codes of the device endpoint. */
export const DEVICE_CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  internal: 1011,
  /** No hello within the hello timeout. */
  helloTimeout: 4002,
  slowConsumer: 4008,
} as const;

/** The form a device's frames came in: answers add a `data` copy for the envelope form. */
export type FrameForm = 'flat' | 'envelope';

export type ParsedFrame =
  | { readonly ok: true; readonly up: DeviceUp; readonly form: FrameForm; readonly type: string }
  | { readonly ok: false; readonly message: string; readonly type?: string };

const MAX_TEXT = 16_384;
const text = z.string().max(MAX_TEXT);
const intOr = (fallback: number) =>
  z.coerce.number().int().min(1).max(1_000_000).optional().default(fallback);

const Hello = z.object({
  version: z.union([z.number(), z.string().max(64)]).optional(),
  transport: z.string().max(64).optional(),
  audio_params: z
    .object({
      format: z.string().max(32).optional(),
      sample_rate: intOr(16_000),
      channels: intOr(1),
      frame_duration: intOr(60),
    })
    .optional(),
  features: z.record(z.string(), z.unknown()).optional(),
});
const Listen = z.object({
  state: z.enum(['start', 'stop', 'detect']),
  mode: z.string().max(32).optional(),
  text: text.optional(),
});
const Chat = z.object({ text });
const Abort = z.object({ reason: z.string().max(256).optional() });
const Mcp = z.object({ payload: z.record(z.string(), z.unknown()) });
const Image = z
  .object({
    url: z.string().max(4096).optional(),
    data: z.string().optional(),
    mime: z.string().max(128).optional(),
    question: text.optional(),
  })
  .refine((v) => v.url !== undefined || v.data !== undefined, 'send url or data');

const issueText = (err: z.ZodError): string =>
  err.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');

/** Parses one text frame. Never throws: bad input is an error result with a clear message. */
export function parseDeviceFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'The frame is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'A frame is a JSON object with a "type".' };
  }
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string' || frame.type.length === 0) {
    return { ok: false, message: 'A frame needs a "type" (a string).' };
  }
  const type = frame.type;
  const envelope =
    typeof frame.data === 'object' && frame.data !== null && !Array.isArray(frame.data);
  const fields = envelope ? (frame.data as Record<string, unknown>) : frame;
  const form: FrameForm = envelope ? 'envelope' : 'flat';
  const up = toDeviceUp(type, fields, raw);
  if (up === undefined)
    return { ok: false, type, message: `Unknown frame type "${type.slice(0, 64)}".` };
  if (up instanceof z.ZodError) {
    return { ok: false, type, message: `Bad "${type}" frame: ${issueText(up)}.` };
  }
  return { ok: true, up, form, type };
}

function toDeviceUp(
  type: string,
  fields: Record<string, unknown>,
  raw: string,
): DeviceUp | z.ZodError | undefined {
  switch (type) {
    case 'hello': {
      const r = Hello.safeParse(fields);
      if (!r.success) return r.error;
      const params = r.data.audio_params;
      const audioParams: AudioParams = {
        format: params?.format ?? 'opus',
        sampleRate: params?.sample_rate ?? 16_000,
        channels: params?.channels ?? 1,
        frameDuration: params?.frame_duration ?? 60,
      };
      return {
        type,
        version: String(r.data.version ?? 1),
        transport: r.data.transport ?? 'websocket',
        audioParams,
        featuresJson: JSON.stringify(r.data.features ?? {}),
      };
    }
    case 'listen': {
      const r = Listen.safeParse(fields);
      if (!r.success) return r.error;
      return { type, state: r.data.state, mode: r.data.mode ?? '', text: r.data.text ?? '' };
    }
    case 'chat': {
      const r = Chat.safeParse(fields);
      return r.success ? { type, text: r.data.text } : r.error;
    }
    case 'abort': {
      const r = Abort.safeParse(fields);
      return r.success ? { type, reason: r.data.reason ?? '' } : r.error;
    }
    case 'mcp': {
      const r = Mcp.safeParse(fields);
      return r.success ? { type, payloadJson: JSON.stringify(r.data.payload) } : r.error;
    }
    case 'vision':
    case 'image': {
      const r = Image.safeParse(fields);
      if (!r.success) return r.error;
      return {
        type,
        url: r.data.url ?? '',
        data: r.data.data === undefined ? new Uint8Array() : Buffer.from(r.data.data, 'base64'),
        mime: r.data.mime ?? '',
        question: r.data.question ?? '',
      };
    }
    case 'iot':
      return { type, json: raw };
    case 'goodbye':
    case 'close':
      return { type: 'close', reason: typeof fields.reason === 'string' ? fields.reason : type };
    default:
      return undefined;
  }
}

/** One frame to a device, as JSON text, with the session id and a timestamp. */
export function encodeDeviceFrame(
  down: DeviceDown,
  sessionId: string,
  now: number,
  form: FrameForm = 'flat',
): string {
  const body = downFields(down);
  const frame: Record<string, unknown> = { type: down.type, session_id: sessionId, ...body };
  frame.timestamp = now;
  if (form === 'envelope') frame.data = body;
  return JSON.stringify(frame);
}

function downFields(down: DeviceDown): Record<string, unknown> {
  switch (down.type) {
    case 'hello':
      return {
        transport: 'websocket',
        audio_params: {
          format: down.audioParams.format,
          sample_rate: down.audioParams.sampleRate,
          channels: down.audioParams.channels,
          frame_duration: down.audioParams.frameDuration,
        },
      };
    case 'stt':
      return { text: down.text };
    case 'llm':
      return down.text === ''
        ? { emotion: down.emotion }
        : { emotion: down.emotion, text: down.text };
    case 'tts':
      return down.text === '' ? { state: down.state } : { state: down.state, text: down.text };
    case 'mcp':
      return { payload: parseOr(down.payloadJson) };
    case 'alert':
      return { status: down.status, message: down.message, emotion: down.emotion };
    case 'system':
      return { command: down.command };
  }
}

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return { error: 'the AI service sent an MCP payload that is not JSON' };
  }
}

/** The contract's error answer: `{"type":"alert","status":"error","message",…,"emotion":"sad"}`. */
export const errorAlert = (message: string): DeviceDown => ({
  type: 'alert',
  status: 'error',
  message,
  emotion: 'sad',
});
