/** DeviceUp ↔ im.ai.v1.ChatRequest and ChatResponse → AiDown (DEVICES.md's mapping). */
import { MessageType, ResponseType, type ChatRequest, type ChatResponse } from '@parley/proto';
import type { AiDown, DeviceIdentity, DeviceUp } from '../../domain/device.js';

const REQUEST_TYPE: Record<DeviceUp['type'], MessageType> = {
  hello: MessageType.MESSAGE_TYPE_HELLO,
  listen: MessageType.MESSAGE_TYPE_LISTEN,
  chat: MessageType.MESSAGE_TYPE_CHAT,
  abort: MessageType.MESSAGE_TYPE_ABORT,
  mcp: MessageType.MESSAGE_TYPE_MCP,
  vision: MessageType.MESSAGE_TYPE_VISION,
  image: MessageType.MESSAGE_TYPE_IMAGE,
  // Legacy iot frames have no type of their own: they travel as MCP content, unspecified type.
  iot: MessageType.MESSAGE_TYPE_UNSPECIFIED,
  audio: MessageType.MESSAGE_TYPE_AUDIO,
  close: MessageType.MESSAGE_TYPE_CLOSE,
};

export function toChatRequest(
  up: DeviceUp,
  sessionId: string,
  who: DeviceIdentity,
  messageId: string,
  now: number,
  uplink: { readonly sampleRate: number; readonly frameDuration: number },
): ChatRequest {
  const request: ChatRequest = {
    messageId,
    deviceId: who.deviceId,
    type: REQUEST_TYPE[up.type],
    timestamp: now,
    sessionId,
    userId: who.userId,
    clientId: who.clientId,
  };
  switch (up.type) {
    case 'hello':
      request.hello = {
        version: up.version,
        transport: up.transport,
        audioParams: { ...up.audioParams },
        featuresJson: up.featuresJson,
      };
      break;
    case 'listen':
      request.listen = { state: up.state, mode: up.mode, text: up.text };
      break;
    case 'chat':
      request.chat = { text: up.text };
      break;
    case 'abort':
      request.abort = { reason: up.reason };
      break;
    case 'mcp':
      request.mcp = { payloadJson: up.payloadJson };
      break;
    case 'iot':
      request.mcp = { payloadJson: up.json };
      break;
    case 'vision':
    case 'image':
      request[up.type] = {
        url: up.url,
        data: asBuffer(up.data),
        mime: up.mime,
        question: up.question,
      };
      break;
    case 'audio':
      request.audio = {
        data: asBuffer(up.data),
        format: 'opus',
        sampleRate: uplink.sampleRate,
        frameDuration: uplink.frameDuration,
      };
      break;
    case 'close':
      request.close = { reason: up.reason };
      break;
  }
  return request;
}

/** What a response says to its session, or undefined when its type and content disagree. */
export function toAiDown(response: ChatResponse): AiDown | undefined {
  switch (response.type) {
    case ResponseType.RESPONSE_TYPE_TEXT:
      return response.text === undefined
        ? undefined
        : {
            type: 'text',
            kind: response.text.kind,
            text: response.text.text,
            emotion: response.text.emotion,
            final: response.text.final,
          };
    case ResponseType.RESPONSE_TYPE_AUDIO:
      return response.audio === undefined
        ? undefined
        : { type: 'audio', data: response.audio.data };
    case ResponseType.RESPONSE_TYPE_STATUS:
      return response.status === undefined
        ? undefined
        : { type: 'status', ttsState: response.status.ttsState, text: response.status.text };
    case ResponseType.RESPONSE_TYPE_MCP:
      return response.mcp === undefined
        ? undefined
        : { type: 'mcp', payloadJson: response.mcp.payloadJson };
    case ResponseType.RESPONSE_TYPE_ERROR:
      return response.error === undefined
        ? undefined
        : { type: 'error', code: response.error.code, message: response.error.message };
    case ResponseType.RESPONSE_TYPE_IMAGE:
      return response.image === undefined
        ? undefined
        : { type: 'image', url: response.image.url, mime: response.image.mime };
    default:
      return undefined;
  }
}

/** The same bytes as a Buffer (the generated messages hold Buffers), without a copy. */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
