/** Running a sync handler and turning its outcome into the contract's `ExtHandleResponse`. */
import { MsgStatus, type ExtHandleResponse, type ExtMessage } from '@parley/proto';
import { ExtRejection } from './errors.js';
import { isExtResult, type ExtResult, type HandlerContext, type SyncTypeSpec } from './handlers.js';
import { toExtMessage } from './messages.js';

/**
 * Runs `spec.handle` and answers: a result as given, an `ExtRejection` as `accept: false` with
 * `MSG_REJECTED`. Rejects when the handler throws anything else or returns no result.
 */
export async function runSyncHandler(
  spec: SyncTypeSpec,
  message: ExtMessage,
  context: HandlerContext,
): Promise<ExtHandleResponse> {
  let result: unknown;
  try {
    result = await spec.handle(message, context);
  } catch (err) {
    if (err instanceof ExtRejection)
      return toResponse({ accept: false, reason: err.reason }, message);
    throw err;
  }
  if (!isExtResult(result)) {
    throw new TypeError(`The handler of "${message.msgType}" returned no result (accept/reject).`);
  }
  return toResponse(result, message);
}

/** The contract's answer for `result`. */
export function toResponse(result: ExtResult, source: ExtMessage): ExtHandleResponse {
  if (!result.accept) {
    const failed = result.status === 'failed';
    return {
      accept: false,
      reason: result.reason,
      status: failed ? MsgStatus.MSG_FAILED : MsgStatus.MSG_REJECTED,
      generated: [],
    };
  }
  return {
    accept: true,
    reason: '',
    status: MsgStatus.MSG_SUCCESS,
    generated: (result.generated ?? []).map((draft, i) => toExtMessage(draft, source, i)),
  };
}
