/** Running an async handler after the ack, and making sure the message gets a final status. */
import type { ExtMessage } from '@parley/proto';
import { ExtError, ExtRejection } from './errors.js';
import { isExtResult, type AsyncTypeSpec, type HandlerContext } from './handlers.js';
import type { CallbackReply } from './reply.js';

/**
 * Runs `spec.handleAsync`. A returned result finishes the reply; a thrown `ExtRejection`
 * completes with `MSG_REJECTED` and any other error with `MSG_FAILED`, unless the handler had
 * already sent a final status. Never rejects: what cannot be reported is logged.
 */
export async function runAsyncHandler(
  spec: AsyncTypeSpec,
  message: ExtMessage,
  reply: CallbackReply,
  context: HandlerContext,
): Promise<void> {
  const where = { msg_type: message.msgType, msg_id: message.msgId };
  try {
    const result = await spec.handleAsync(message, reply, context);
    if (result === undefined) return; // the handler finished the reply, or will later
    if (!isExtResult(result)) {
      throw new TypeError(`The handler of "${message.msgType}" returned something not a result.`);
    }
    if (reply.done) {
      context.log('warn', 'async handler returned a result after finishing its reply', where);
      return;
    }
    await reply.finish(result);
  } catch (err) {
    if (reply.done) {
      const callback = err instanceof ExtError && err.code === 'CALLBACK_FAILED';
      context.log(callback ? 'warn' : 'error', 'async handler failed after its result', {
        ...where,
        err,
      });
      return;
    }
    try {
      if (err instanceof ExtRejection) {
        await reply.reject(err.reason);
      } else {
        context.log('error', 'async handler failed', { ...where, err });
        await reply.fail('The extension failed to handle the message.');
      }
    } catch (reportErr) {
      context.log('warn', 'reporting the failure of an async handler failed', {
        ...where,
        err: reportErr,
      });
    }
  }
}
