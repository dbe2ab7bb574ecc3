/** Between Parley's transport-neutral envelope and the generated im.ext messages. */
import type { ExtHandleResponse, ExtMessage } from '@parley/proto';
import type { ExtEnvelope, GeneratedMessage, HandleResult } from '../../domain/extension.js';

export function toExtMessage(e: ExtEnvelope): ExtMessage {
  return {
    msgId: e.msgId,
    conversation: e.conversation,
    fromUid: e.fromUid,
    toUid: e.toUid,
    groupId: e.groupId,
    msgType: e.msgType,
    scene: e.scene,
    clientTs: e.clientTs,
    serverTs: e.serverTs,
    seq: e.seq,
    header: {
      requestId: e.requestId,
      needAck: false,
      async: e.async,
      timeoutMs: e.timeoutMs,
      tags: { ...e.tags },
    },
    payload: Buffer.from(e.payload, 'utf8'),
    status: e.status,
  };
}

export const fromGenerated = (m: ExtMessage): GeneratedMessage => ({
  msgType: m.msgType,
  conversation: m.conversation,
  fromUid: m.fromUid,
  payload: Buffer.from(m.payload).toString('utf8'),
  scene: m.scene,
});

export const fromHandleResponse = (r: ExtHandleResponse): HandleResult => ({
  accept: r.accept,
  reason: r.reason,
  generated: r.generated.map(fromGenerated),
  status: r.status,
});
