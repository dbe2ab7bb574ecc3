/**
 * `grpc`: SendMessage and GetMessages over gRPC beside the same operations over REST, on one
 * server per operation (both transports measured on the same server, one after the other),
 * with the ratio of server CPU per call (target: gRPC no more than REST).
 */
import type { Line } from './report.js';
import { freePort, type BenchServer } from './server.js';
import type { Job } from './worker.js';

export interface GrpcBenchDeps {
  readonly withParley: <T>(
    fn: (server: BenchServer) => Promise<T>,
    env?: Record<string, string>,
  ) => Promise<T>;
  readonly measure: (server: BenchServer, job: Job) => Promise<Line>;
  readonly emit: (line: Line) => void;
}

/** server CPU per call of gRPC over REST, rounded to hundredths. */
const ratio = (a: unknown, b: unknown): number | null => {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? Math.round((x / y) * 100) / 100 : null;
};

export async function runGrpcVersusRest(
  deps: GrpcBenchDeps,
  plan: { readonly callers: number; readonly durationMs: number },
): Promise<void> {
  const { withParley, measure, emit } = deps;
  for (const op of ['send', 'history'] as const) {
    const grpcPort = await freePort();
    const env = {
      PARLEY_GRPC_PORT: String(grpcPort),
      PARLEY_GRPC_RATE_PER_SECOND: '1000000',
      PARLEY_GRPC_RATE_BURST: '1000000',
    };
    const lines = await withParley(async (s) => {
      const params = {
        op,
        grpcAddr: `127.0.0.1:${grpcPort}`,
        callers: plan.callers,
        prefill: 60,
        durationMs: plan.durationMs,
      };
      const rest = await measure(s, {
        kind: 'unary',
        url: s.url,
        params: { ...params, transport: 'rest' },
      });
      const grpc = await measure(s, {
        kind: 'unary',
        url: s.url,
        params: { ...params, transport: 'grpc' },
      });
      return { rest, grpc };
    }, env);
    emit({
      scenario: `grpc-${op}-ratio`,
      server: 'grpc/rest',
      cpu_per_call_ratio: ratio(
        lines.grpc.server_cpu_us_per_delivery,
        lines.rest.server_cpu_us_per_delivery,
      ),
      grpc_calls_per_s: lines.grpc.calls_per_s,
      rest_calls_per_s: lines.rest.calls_per_s,
      grpc_cpu_us_per_call: lines.grpc.server_cpu_us_per_delivery,
      rest_cpu_us_per_call: lines.rest.server_cpu_us_per_delivery,
    });
  }
}
