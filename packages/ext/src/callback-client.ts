/**
 * Calls to Parley's `ExtCallbackService.Complete`: one cached client per callback address, a
 * deadline on every attempt, and retries of the failures a retry can fix. `Complete` is
 * idempotent in the contract, so sending a result twice is safe.
 */
import {
  credentials as grpcCredentials,
  Metadata,
  status,
  type ChannelCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  ExtCallbackServiceClient,
  type ExtCompleteRequest,
  type ExtCompleteResponse,
} from '@parley/proto';
import { ExtError } from './errors.js';

export interface CallbackOptions {
  /** Deadline of one attempt. */
  readonly timeoutMs: number;
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Default: insecure (plaintext) channels. */
  readonly credentials?: ChannelCredentials;
}

/** The metadata key Parley reads the call's callback token from. */
const CALLBACK_TOKEN_METADATA = 'x-parley-callback-token';

/** gRPC codes after which the same call may well succeed. */
const RETRYABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
  status.ABORTED,
]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The clients of the callback addresses seen so far (Parley's nodes: a handful). */
export class CallbackClients {
  readonly #options: CallbackOptions;
  readonly #clients = new Map<string, ExtCallbackServiceClient>();

  constructor(options: CallbackOptions) {
    this.#options = options;
  }

  /**
   * Sends `request` to the `ExtCallbackService` at `address` (`host:port`), with the call's
   * `token` as `x-parley-callback-token` metadata (none when empty). Resolves once Parley
   * answered `ok: true`; rejects with `ExtError('CALLBACK_FAILED')` when it answered `ok: false`,
   * failed in a way a retry cannot fix (a refused token: `PERMISSION_DENIED`), or every attempt
   * failed.
   */
  async complete(address: string, request: ExtCompleteRequest, token = ''): Promise<void> {
    const client = this.#client(address);
    let lastError: ServiceError | undefined;
    for (let attempt = 0; attempt < this.#options.attempts; attempt++) {
      if (attempt > 0) await sleep(Math.min(2_000, 100 * 2 ** (attempt - 1)));
      try {
        const response = await this.#call(client, request, token);
        if (!response.ok) {
          throw new ExtError(
            'CALLBACK_FAILED',
            `Parley at ${address} refused the result (ok: false).`,
          );
        }
        return;
      } catch (err) {
        if (err instanceof ExtError) throw err;
        lastError = err as ServiceError;
        if (!RETRYABLE.has(lastError.code)) break;
      }
    }
    throw new ExtError(
      'CALLBACK_FAILED',
      `Complete on ${address} failed: ${lastError?.details || lastError?.message || 'unknown error'}`,
      { cause: lastError },
    );
  }

  /** Closes every client; calls still in flight fail. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(address: string): ExtCallbackServiceClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new ExtCallbackServiceClient(
        address,
        this.#options.credentials ?? grpcCredentials.createInsecure(),
      );
      this.#clients.set(address, client);
    }
    return client;
  }

  #call(
    client: ExtCallbackServiceClient,
    request: ExtCompleteRequest,
    token: string,
  ): Promise<ExtCompleteResponse> {
    const deadline = new Date(Date.now() + this.#options.timeoutMs);
    const metadata = new Metadata();
    if (token !== '') metadata.set(CALLBACK_TOKEN_METADATA, token);
    return new Promise((resolve, reject) => {
      client.complete(request, metadata, { deadline }, (err, response) => {
        if (err) reject(err);
        else resolve(response);
      });
    });
  }
}
