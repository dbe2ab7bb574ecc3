/**
 * `npm run bench -- --cluster`: the same scenarios against the embedded shape and the cluster
 * shape, one after the other (so that neither idles beside the other's measured window), then
 * a line per scenario comparing them against the targets. Every process and engine a shape
 * started is stopped when it is done, when a step fails, and on SIGINT or SIGTERM.
 */
import type { LoadProcess } from '../pool.js';
import type { Job } from '../worker.js';
import type { Line } from '../report.js';
import { compareShapes, shapeLine } from './lines.js';
import { ShapeGuard } from './shape-guard.js';
import type { Shape, ShapeName } from './shapes.js';

export interface ClusterPlan {
  readonly scenarios: readonly ('direct' | 'group')[];
  /** direct: total msgs/s, one run per rate. */
  readonly rates: readonly number[];
  readonly pairs: number;
  readonly durationMs: number;
  /** group: members in all, members online (the sender included), messages per second. */
  readonly members: number;
  readonly online: number;
  readonly groupRate: number;
  /** Traffic at the measured rate before each measured run, so that both shapes are warm. */
  readonly warmUpMs: number;
  /** Node.js flags for every Parley process of both shapes (--cpu-prof). */
  readonly nodeArgs: readonly string[];
  /** Settings (`--set`) for every Parley process of the cluster shape. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ClusterDeps {
  readonly load: LoadProcess;
  readonly emit: (line: Line) => void;
  /** Progress for the person watching. */
  readonly log: (text: string) => void;
}

const SHAPES: readonly ShapeName[] = ['embedded', 'cluster'];

export async function runClusterBench(plan: ClusterPlan, deps: ClusterDeps): Promise<void> {
  if (plan.scenarios.includes('group') && plan.members < 3) {
    throw new Error('--members: a group of at least 3 for the worker fan-out');
  }
  // Groups over the threshold fan out from the worker: the bench's group is always over it.
  const fanoutThreshold = Math.min(1_000, plan.members - 1);
  const options = {
    fanoutThreshold,
    nodeArgs: plan.nodeArgs,
    env: plan.env,
  };
  const lines = new Map<string, Line>();
  const guard = new ShapeGuard();
  try {
    for (const name of SHAPES) {
      deps.log(`\nstarting the ${name} shape\n`);
      const shape = await guard.start(name, options);
      const pids = [...shape.processes].map(([process, pid]) => `${process}=${pid}`);
      deps.log(`the ${name} shape is up: ${pids.join(' ')}\n`);
      try {
        for (const [key, job] of jobs(plan, shape)) {
          guard.check();
          const line = shapeLine(name, await deps.load.run(shape, job));
          deps.emit(line);
          lines.set(`${name}:${key}`, line);
        }
      } catch (err) {
        const problems = shape.problems();
        if (problems.length > 0)
          deps.log(`what the ${name} shape logged:\n${problems.join('\n')}\n`);
        throw err;
      } finally {
        await shape.stop();
      }
    }
  } catch (err) {
    // Interrupted: the guard stops what runs and ends the bench; fail no sooner.
    await guard.interruption();
    throw err;
  } finally {
    guard.dispose();
  }
  for (const key of keys(plan)) {
    const embedded = lines.get(`embedded:${key}`);
    const cluster = lines.get(`cluster:${key}`);
    if (embedded === undefined || cluster === undefined) continue;
    deps.emit(compareShapes(key.startsWith('direct') ? 'direct' : 'group', embedded, cluster));
  }
}

/** The measured runs of a shape, keyed the same for both shapes. */
function* jobs(plan: ClusterPlan, shape: Shape): Generator<readonly [string, Job]> {
  const at = { url: shape.api, gateways: shape.gateways };
  if (plan.scenarios.includes('direct')) {
    for (const rate of plan.rates) {
      const params = {
        pairs: plan.pairs,
        rate,
        durationMs: plan.durationMs,
        warmUpMs: plan.warmUpMs,
        target: 'parley',
      } as const;
      yield [`direct@${rate}`, { ...at, kind: 'direct', params }] as const;
    }
  }
  if (plan.scenarios.includes('group')) {
    const params = {
      members: plan.members,
      online: plan.online,
      rate: plan.groupRate,
      durationMs: plan.durationMs,
      warmUpMs: plan.warmUpMs,
      target: 'parley',
    } as const;
    yield ['group', { ...at, kind: 'group', params }] as const;
  }
}

function keys(plan: ClusterPlan): string[] {
  return [
    ...(plan.scenarios.includes('direct') ? plan.rates.map((rate) => `direct@${rate}`) : []),
    ...(plan.scenarios.includes('group') ? ['group'] : []),
  ];
}
