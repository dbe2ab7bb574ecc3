/** What a load scenario gets from the worker it runs in. */

export interface LoadContext {
  /** Base URL of the server under test (http://127.0.0.1:port): REST (sign-up, groups). */
  readonly url: string;
  /**
   * Where clients open their WebSockets, taken round-robin: the cluster's gateways, or `url`
   * alone for one process.
   */
  readonly gateways: readonly string[];
  /**
   * Marks the start and end of the measured phase: the harness samples server CPU there.
   * 'settle', after a scenario's setup: resolves once the server under test has settled.
   */
  mark(name: MarkName): Promise<void>;
}

export type MarkName = 'settle' | 'start' | 'end';

/** The common fields every scenario's JSON line carries. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly clients: number;
  readonly sent: number;
  readonly delivered: number;
  readonly msgs_per_s: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly [extra: string]: unknown;
}

/** The gateway of the `index`-th client: round-robin over the gateways. */
export function gatewayFor(ctx: LoadContext, index: number): string {
  return ctx.gateways[index % ctx.gateways.length] ?? ctx.url;
}
