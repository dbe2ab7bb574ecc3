import { toPublicMessage, type MessageRecord, type PublicMessage } from '../../domain/message.js';
import { publicMessageJson } from '../../protocol/message-json.js';

/** What a send answers, in the form each transport needs. */
export interface SendResult {
  readonly message: PublicMessage;
  /** True when the message was stored before (a retry): nothing new was sent. */
  readonly duplicate: boolean;
  /** `message` as JSON text, for transports that write JSON themselves. */
  readonly messageJson: string;
}

/**
 * The result for a stored message. Each form is built on first use only: a WebSocket send
 * needs just the JSON text (spliced from the stored content, shared with the fan-out), a REST
 * send just the object (whose content is the parsed JSON).
 */
export function storedSendResult(record: MessageRecord, duplicate: boolean): SendResult {
  let message: PublicMessage | undefined;
  let json: string | undefined;
  return {
    duplicate,
    get message() {
      return (message ??= toPublicMessage(record));
    },
    get messageJson() {
      return (json ??= publicMessageJson(record));
    },
  };
}
