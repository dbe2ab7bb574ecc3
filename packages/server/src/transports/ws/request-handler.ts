import type { Logger } from 'pino';
import { ZodError, type z } from 'zod';
import { isAppError, type ErrorCode, type ErrorReason } from '../../domain/errors.js';
import type { Clock } from '../../ports/system.js';
import { MAX_DOCUMENT_DEPTH, nestsDeeperThan, tooDeepMessage } from '../../protocol/json-depth.js';
import {
  encodeError,
  encodeReply,
  RequestFrame,
  type RequestId,
} from '../../protocol/ws-frames.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { wsOps } from './ws-ops.js';

/**
 * Turns one text frame into a reply: parse, check the rate limit, validate the op's data, run
 * it (or queue it behind the connection's requests in progress). Every failure is an error
 * reply; the connection lives on.
 */
export class RequestHandler {
  readonly #ops: ReturnType<typeof wsOps>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(ops: ReturnType<typeof wsOps>, clock: Clock, logger: Logger) {
    this.#ops = ops;
    this.#clock = clock;
    this.#logger = logger;
  }

  async handle(conn: GatewayConnection, text: string): Promise<void> {
    if (nestsDeeperThan(text, MAX_DOCUMENT_DEPTH)) {
      conn.send(
        encodeError(
          idOfText(text),
          'INVALID_ARGUMENT',
          tooDeepMessage('The frame', MAX_DOCUMENT_DEPTH),
        ),
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      conn.send(encodeError(null, 'INVALID_ARGUMENT', 'The frame is not valid JSON.'));
      return;
    }
    const frame = RequestFrame.safeParse(parsed);
    if (!frame.success) {
      const id = idOf(parsed);
      conn.send(encodeError(id, 'INVALID_ARGUMENT', `Bad request frame: ${describe(frame.error)}`));
      return;
    }
    const id = frame.data.id ?? null;
    if (!conn.takeToken(this.#clock.now())) {
      conn.send(
        encodeError(id, 'RESOURCE_EXHAUSTED', 'Too many requests on this connection.', {
          reason: 'RATE_LIMITED',
        }),
      );
      return;
    }
    const op = this.#ops.get(frame.data.op);
    if (op === undefined) {
      conn.send(encodeError(id, 'INVALID_ARGUMENT', `Unknown op "${frame.data.op}".`));
      return;
    }
    const data = op.schema.safeParse(frame.data.data ?? {});
    if (!data.success) {
      conn.send(encodeError(id, 'INVALID_ARGUMENT', describe(data.error)));
      return;
    }
    const run = async () => {
      if (!conn.isOpen) return; // it waited, and the connection closed meanwhile
      try {
        const result = await op.run(
          data.data,
          conn.auth,
          { connectionId: conn.id, connectionUserId: conn.auth.userId },
          conn,
        );
        conn.send(encodeReply(id, result));
      } catch (err) {
        const { code, message, ...more } = this.#toError(err, frame.data.op);
        conn.send(encodeError(id, code, message, more));
      }
    };
    if (!conn.requests.submit(run, text.length)) {
      conn.send(
        encodeError(id, 'RESOURCE_EXHAUSTED', 'Too many requests waiting on this connection.', {
          reason: 'RATE_LIMITED',
        }),
      );
    }
  }

  #toError(
    err: unknown,
    op: string,
  ): { code: ErrorCode; message: string; reason?: ErrorReason; field?: string | undefined } {
    if (isAppError(err)) {
      return { code: err.code, message: err.message, reason: err.reason, field: err.details.field };
    }
    if (err instanceof ZodError) return { code: 'INVALID_ARGUMENT', message: describe(err) };
    this.#logger.error({ err, op }, 'websocket request failed');
    return { code: 'INTERNAL', message: 'Internal error; see the server log.' };
  }
}

function idOf(value: unknown): RequestId {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** The request id of a frame too deep to parse, read from its start when it leads the frame. */
function idOfText(text: string): RequestId {
  const match = /^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.){0,256}"|-?\d{1,16})\s*[,}]/.exec(text);
  if (match?.[1] === undefined) return null;
  try {
    return JSON.parse(match[1]) as RequestId;
  } catch {
    return null;
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
