/**
 * One worker payload, from its bytes (HTTP) or decoded value (Socket.IO) to the commit's ack:
 * what both bridge transports do, in one place, so that it can run on the event loop (the
 * network stores) or in a thread of its own (SQLite, main/bridge-ingest-thread.ts).
 */
import secureJson from 'secure-json-parse';
import type { BridgeSyncService, SyncAck } from '../../app/bridges/bridge-sync.js';
import { isAppError, type ErrorCode, type ErrorReason } from '../../domain/errors.js';
import { parseSyncPayload } from '../../protocol/bridge-sync.js';
import { MAX_DOCUMENT_DEPTH, nestsDeeperThan, tooDeepMessage } from '../../protocol/json-depth.js';

/** The request body's bytes, still to be parsed, or a value a transport already decoded. */
export type SyncPayload = { readonly json: Uint8Array } | { readonly value: unknown };

/** Why a payload was refused, nothing stored (the transports' error shapes carry it). */
export interface IngestRefusal {
  readonly code: ErrorCode;
  readonly reason: ErrorReason;
  readonly message: string;
  readonly field?: string;
}

export type IngestOutcome =
  | { readonly ok: true; readonly ack: SyncAck }
  | { readonly ok: false; readonly refusal: IngestRefusal };

/** Stores a worker's payload; rejects only on a failure of Parley's own (INTERNAL). */
export interface BridgeIngest {
  ingest(payload: SyncPayload, workerId: string): Promise<IngestOutcome>;
}

const invalid = (message: string, field?: string): IngestOutcome => ({
  ok: false,
  refusal: {
    code: 'INVALID_ARGUMENT',
    reason: 'INVALID_ARGUMENT',
    message,
    ...(field !== undefined && { field }),
  },
});

/** The JSON of a body, as the HTTP server parses every other one (depth, then prototypes). */
export function parseBody(bytes: Uint8Array): { ok: true; value: unknown } | IngestOutcome {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // No body at all is a payload that is not an object (parseSyncPayload says so).
  if (text.trim() === '') return { ok: true, value: undefined };
  if (nestsDeeperThan(text, MAX_DOCUMENT_DEPTH)) {
    return invalid(tooDeepMessage('The body', MAX_DOCUMENT_DEPTH));
  }
  try {
    return {
      ok: true,
      value: secureJson.parse(text, undefined, {
        protoAction: 'error',
        constructorAction: 'error',
      }),
    };
  } catch {
    return invalid('The body is not valid JSON.');
  }
}

/** The ingest on the calling thread: parse, check the whole payload, store, answer. */
export class InlineBridgeIngest implements BridgeIngest {
  readonly #sync: BridgeSyncService;

  constructor(sync: BridgeSyncService) {
    this.#sync = sync;
  }

  async ingest(payload: SyncPayload, workerId: string): Promise<IngestOutcome> {
    let value: unknown;
    if ('json' in payload) {
      const body = parseBody(payload.json);
      if (!('value' in body)) return body;
      value = body.value;
    } else {
      value = payload.value;
    }
    const parsed = await parseSyncPayload(value);
    if (!parsed.ok) return invalid(parsed.message, parsed.field);
    try {
      const { ack } = await this.#sync.sync(parsed.batch, workerId);
      return { ok: true, ack };
    } catch (err) {
      if (!isAppError(err) || err.code === 'INTERNAL') throw err;
      return { ok: false, refusal: { code: err.code, reason: err.reason, message: err.message } };
    }
  }
}
