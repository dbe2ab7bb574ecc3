/**
 * Voice devices (seed 002, DEVICES.md): what a device says to the AI service and what the AI
 * service says back, independent of any wire format (device frames, gRPC).
 */

export interface AudioParams {
  readonly format: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Milliseconds of audio per frame. */
  readonly frameDuration: number;
}

/** The audio Parley sends devices: 24 kHz mono Opus, 60 ms frames (DEVICES.md). */
export const DOWNLINK_AUDIO: AudioParams = {
  format: 'opus',
  sampleRate: 24_000,
  channels: 1,
  frameDuration: 60,
};

/** What the device tells the AI service (one device frame, parsed). */
export type DeviceUp =
  | {
      readonly type: 'hello';
      readonly version: string;
      readonly transport: string;
      readonly audioParams: AudioParams;
      /** The device's `features` object as JSON text. */
      readonly featuresJson: string;
    }
  | {
      readonly type: 'listen';
      readonly state: string;
      readonly mode: string;
      readonly text: string;
    }
  | { readonly type: 'chat'; readonly text: string }
  | { readonly type: 'abort'; readonly reason: string }
  /** JSON-RPC 2.0 as JSON text; `iot` frames travel this way too, as the whole frame. */
  | { readonly type: 'mcp'; readonly payloadJson: string }
  | {
      readonly type: 'vision' | 'image';
      readonly url: string;
      readonly data: Uint8Array;
      readonly mime: string;
      readonly question: string;
    }
  /** Legacy xiaozhi `iot` frames, passed on whole (JSON text). */
  | { readonly type: 'iot'; readonly json: string }
  | { readonly type: 'audio'; readonly data: Uint8Array }
  | { readonly type: 'close'; readonly reason: string };

export type DeviceUpType = DeviceUp['type'];

/** What the AI service tells one device session. */
export type AiDown =
  | {
      readonly type: 'text';
      readonly kind: string;
      readonly text: string;
      readonly emotion: string;
      readonly final: boolean;
    }
  | { readonly type: 'audio'; readonly data: Uint8Array }
  | { readonly type: 'status'; readonly ttsState: string; readonly text: string }
  | { readonly type: 'mcp'; readonly payloadJson: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'image'; readonly url: string; readonly mime: string };

/** What Parley tells a device (the session id and timestamp are added by the codec). */
export type DeviceDown =
  | { readonly type: 'hello'; readonly audioParams: AudioParams }
  | { readonly type: 'stt'; readonly text: string }
  | { readonly type: 'llm'; readonly emotion: string; readonly text: string }
  | { readonly type: 'tts'; readonly state: string; readonly text: string }
  | { readonly type: 'mcp'; readonly payloadJson: string }
  | {
      readonly type: 'alert';
      readonly status: string;
      readonly message: string;
      readonly emotion: string;
    }
  | { readonly type: 'system'; readonly command: string };

/** Frames that steer a session: never dropped on the way to the AI service (audio may be). */
export const isControl = (up: DeviceUp): boolean => up.type !== 'audio';

export type DeviceSessionStatus = 'active' | 'inactive' | 'disconnected';

/** seed 002's connection_events.event_type values Parley records. */
export type ConnectionEventType =
  | 'connected'
  | 'hello'
  | 'ai_stream_lost'
  | 'ai_reconnected'
  | 'aborted'
  | 'ai_no_answer'
  | 'slow_consumer'
  | 'disconnected';

/** Who a device session belongs to, once its upgrade was authenticated. */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly clientId: string;
  readonly userId: string;
}

/** Device ids (MACs on real devices) and client ids: printable, bounded. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9:_.-]{1,64}$/;
