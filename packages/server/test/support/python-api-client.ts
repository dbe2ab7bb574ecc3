import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON } from './engines.js';
import { REPO_ROOT } from './process.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/python-client/api_client.py', import.meta.url));

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are JSON read loosely, as REST bodies */
type Line = Record<string, any>;

/**
 * Drives test/fixtures/python-client/api_client.py: a grpcio client of the public API with
 * stubs compiled from proto/ by the test. Each command gets its JSON answer; stream events
 * are collected per stream.
 */
export class PythonApiClient {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting = new Map<number, (line: Line) => void>();
  readonly streams = new Map<number, { events: Line[]; end?: Line }>();
  #next = 1;
  #output = '';

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
  }

  static async start(address: string): Promise<PythonApiClient> {
    const child = spawn(DEBIAN_PYTHON, [SCRIPT, address], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    });
    const client = new PythonApiClient(child);
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stderr.on('data', (chunk: Buffer) => (client.#output += chunk.toString()));
      child.once('exit', () => reject(new Error(`python exited:\n${client.#output}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const text = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (text === 'READY') resolve();
          else client.#line(JSON.parse(text) as Line);
        }
      });
    });
    return client;
  }

  #line(line: Line): void {
    if (typeof line.stream === 'number') {
      const stream = this.streams.get(line.stream) ?? { events: [] };
      this.streams.set(line.stream, stream);
      if (line.event !== undefined) stream.events.push(line.event);
      else stream.end = line;
      return;
    }
    this.#waiting.get(line.id)?.(line);
    this.#waiting.delete(line.id);
  }

  #send(command: Line): Promise<Line> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** One unary call; `request` in proto3 JSON. */
  call(service: string, method: string, request: Line, token?: string): Promise<Line> {
    return this.#send({ op: 'call', service, method, request, token });
  }

  /** The response of a call that must succeed. */
  async ok(service: string, method: string, request: Line, token?: string): Promise<Line> {
    const answer = await this.call(service, method, request, token);
    if (answer.ok !== true) throw new Error(`${service}.${method}: ${JSON.stringify(answer)}`);
    return answer.response as Line;
  }

  /** Starts a Subscribe; its events land in streams.get(id). */
  async subscribe(request: Line, token: string): Promise<number> {
    const answer = await this.#send({ op: 'subscribe', request, token });
    this.streams.set(answer.id as number, this.streams.get(answer.id as number) ?? { events: [] });
    return answer.id as number;
  }

  async cancel(stream: number): Promise<void> {
    await this.#send({ op: 'cancel', stream });
  }

  events(stream: number, name: string): Line[] {
    return (this.streams.get(stream)?.events ?? []).filter((e) => e.event === name);
  }

  close(): void {
    this.#child.stdin.end();
    this.#child.kill('SIGKILL');
  }
}
