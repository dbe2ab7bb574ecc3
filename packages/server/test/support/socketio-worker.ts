/** A bridge worker speaking real Socket.IO (socket.io-client), as the original's workers do. */
import { io, type Socket } from 'socket.io-client';

export interface WorkerAnswer {
  readonly type: string;
  readonly version: string;
  readonly payload: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly timestamp: number;
  readonly requestId: string | number | null;
}

export class SocketIoWorker {
  readonly socket: Socket;
  readonly answers: WorkerAnswer[] = [];
  #serial = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (answer: WorkerAnswer) => this.answers.push(answer));
  }

  /** Connects to `/worker`; rejects with the server's connect_error. */
  static connect(
    url: string,
    token: string | undefined,
    options: {
      transports?: ('polling' | 'websocket')[];
      namespace?: string;
      header?: boolean;
    } = {},
  ): Promise<SocketIoWorker> {
    const socket = io(`${url}${options.namespace ?? '/worker'}`, {
      ...(token !== undefined &&
        (options.header === true
          ? { extraHeaders: { authorization: `Bearer ${token}` } }
          : { auth: { token } })),
      transports: options.transports ?? ['polling', 'websocket'],
      reconnection: false,
      forceNew: true,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new SocketIoWorker(socket)));
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
  }

  /** Emits a `worker:data:sync` envelope and waits for the `message` answering it. */
  sync(payload: unknown, requestId: string = `r${this.#serial++}`): Promise<WorkerAnswer> {
    return this.send({
      type: 'worker:data:sync',
      version: 'v1',
      payload,
      timestamp: Date.now(),
      requestId,
    });
  }

  /** Emits any `message` and waits for the answer carrying its requestId. */
  send(
    envelope: unknown,
    requestId = (envelope as { requestId?: unknown }).requestId,
  ): Promise<WorkerAnswer> {
    return new Promise((resolve, reject) => {
      const onAnswer = (answer: WorkerAnswer) => {
        if (answer.requestId !== (requestId ?? null)) return;
        this.socket.off('message', onAnswer);
        this.socket.off('disconnect', onGone);
        resolve(answer);
      };
      const onGone = (reason: string) => {
        this.socket.off('message', onAnswer);
        reject(new Error(`disconnected: ${reason}`));
      };
      this.socket.on('message', onAnswer);
      this.socket.once('disconnect', onGone);
      this.socket.emit('message', envelope);
    });
  }

  /** Emits with a Socket.IO acknowledgement callback and resolves with what it is given. */
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown> {
    return this.socket.timeout(10_000).emitWithAck(event, ...args);
  }

  close(): void {
    this.socket.close();
  }
}
