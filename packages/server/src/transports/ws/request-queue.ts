type Task = () => Promise<void>;

interface Waiting {
  readonly task: Task;
  readonly bytes: number;
}

/**
 * The requests of one connection: up to `maxRunning` run at once; the next ones wait in
 * arrival order, up to `maxWaiting` of them (the burst size, so a client within the rate limit
 * is never refused for being ahead of the server) and `maxWaitingBytes` of request frames (so
 * that a burst of large frames cannot pile up memory), and start as running ones finish.
 */
export class RequestQueue {
  readonly #maxRunning: number;
  readonly #maxWaiting: number;
  readonly #maxWaitingBytes: number;
  #running = 0;
  #waiting: (Waiting | undefined)[] = [];
  #head = 0;
  #waitingBytes = 0;

  constructor(maxRunning: number, maxWaiting: number, maxWaitingBytes = Infinity) {
    this.#maxRunning = maxRunning;
    this.#maxWaiting = maxWaiting;
    this.#maxWaitingBytes = maxWaitingBytes;
  }

  /** Bytes of the requests waiting now. */
  get waitingBytes(): number {
    return this.#waitingBytes;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Runs the task now or queues it (`bytes`: the size of its request); false (and nothing
   * queued) when the queue is full.
   */
  submit(task: Task, bytes = 0): boolean {
    if (this.#running < this.#maxRunning) {
      this.#start(task);
      return true;
    }
    if (this.waiting >= this.#maxWaiting) return false;
    if (this.#waitingBytes + bytes > this.#maxWaitingBytes) return false;
    this.#waiting.push({ task, bytes });
    this.#waitingBytes += bytes;
    return true;
  }

  #start(task: Task): void {
    this.#running++;
    const done = () => {
      this.#running--;
      const next = this.#take();
      if (next !== undefined) this.#start(next);
    };
    task().then(done, done);
  }

  #take(): Task | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const next = this.#waiting[this.#head];
    this.#waitingBytes -= next?.bytes ?? 0;
    this.#waiting[this.#head++] = undefined; // let it be collected
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return next?.task;
  }
}
