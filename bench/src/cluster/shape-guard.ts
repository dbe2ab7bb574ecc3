/**
 * Makes sure a shape's processes and engines never outlive the bench: SIGINT or SIGTERM stops
 * the shapes that run (and, once it is up, the one starting) and then ends the bench; an exit
 * by any other way SIGKILLs whatever was not stopped.
 */
import { startShape, type Shape, type ShapeName, type ShapeOptions } from './shapes.js';

export class ShapeGuard {
  #starting: Promise<Shape> | undefined;
  #interrupted: Promise<never> | undefined;
  readonly #started = new Set<Shape>();

  readonly #onSignal = (signal: NodeJS.Signals) => {
    // The same signal often comes twice (`npm run` and a terminal both send it, `timeout`
    // signals its child and the group): stopping runs once and is not cut short.
    if (this.#interrupted !== undefined) return;
    process.stderr.write(`\n${signal}: stopping the bench's processes and engines\n`);
    const starting = this.#starting;
    const started = [...this.#started];
    this.#interrupted = (async () => {
      try {
        await Promise.all(started.map((shape) => shape.stop()));
        if (starting !== undefined) await (await starting).stop();
      } catch (err) {
        // A start that failed has stopped what it started; say why it failed.
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      } finally {
        process.exit(130);
      }
    })();
  };

  readonly #onExit = () => {
    for (const shape of this.#started) shape.kill();
  };

  constructor() {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
    process.once('exit', this.#onExit);
  }

  /** Starts a shape under guard; fails if the bench was interrupted meanwhile. */
  async start(name: ShapeName, options: ShapeOptions): Promise<Shape> {
    this.#starting = startShape(name, options);
    const shape = await this.#starting;
    this.#started.add(shape);
    this.check();
    return shape;
  }

  /** Throws once the bench is interrupted: start nothing new. */
  check(): void {
    if (this.#interrupted !== undefined) throw new Error('interrupted');
  }

  /** Never resolves once interrupted (the guard ends the bench); at once otherwise. */
  async interruption(): Promise<void> {
    if (this.#interrupted !== undefined) await this.#interrupted;
  }

  /** Disarms the signals; the exit hook stays, and kills only a shape whose stop failed. */
  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
