/**
 * `npm run bench -- --cluster`: the same scenarios against the embedded shape and the cluster
 * shape, both up at once and measured in turn, round after round (embedded, cluster, embedded,
 * cluster, …), so that a change in what the shared machine gives this bench over the minutes
 * of a run falls on both shapes alike; then a line per scenario comparing them, over all their
 * rounds, against the targets. Every process and engine a shape started is stopped when the
 * bench is done, when a step fails, and on SIGINT or SIGTERM.
 */
import type { LoadProcess } from '../pool.js';
import type { Job } from '../worker.js';
import type { Line } from '../report.js';
import { combineRounds, compareShapes, shapeLine } from './lines.js';
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
  /** Measured runs of each scenario on each shape, alternating between the shapes. */
  readonly rounds: number;
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
  const rounds = new Map<string, Line[]>();
  const guard = new ShapeGuard();
  const shapes = new Map<ShapeName, Shape>();
  try {
    for (const name of SHAPES) {
      deps.log(`\nstarting the ${name} shape\n`);
      const shape = await guard.start(name, options);
      shapes.set(name, shape);
      const pids = [...shape.processes].map(([process, pid]) => `${process}=${pid}`);
      deps.log(`the ${name} shape is up: ${pids.join(' ')}\n`);
    }
    for (const key of keys(plan)) {
      for (let round = 1; round <= plan.rounds; round++) {
        for (const [name, shape] of shapes) {
          guard.check();
          const job = jobOf(plan, shape, key);
          const line = { ...shapeLine(name, await run(deps, shape, job)), round };
          deps.emit(line);
          rounds.set(`${name}:${key}`, [...(rounds.get(`${name}:${key}`) ?? []), line]);
        }
      }
    }
  } catch (err) {
    // Interrupted: the guard stops what runs and ends the bench; fail no sooner.
    await guard.interruption();
    throw err;
  } finally {
    await Promise.all([...shapes.values()].map((shape) => shape.stop()));
    guard.dispose();
  }
  for (const key of keys(plan)) {
    const embedded = rounds.get(`embedded:${key}`);
    const cluster = rounds.get(`cluster:${key}`);
    if (embedded === undefined || cluster === undefined) continue;
    deps.emit(
      compareShapes(
        key.startsWith('direct') ? 'direct' : 'group',
        combineRounds(embedded),
        combineRounds(cluster),
      ),
    );
  }
}

/** One measured run; on failure, what the shape logged is shown before the error. */
async function run(deps: ClusterDeps, shape: Shape, job: Job) {
  try {
    return await deps.load.run(shape, job);
  } catch (err) {
    const problems = shape.problems();
    if (problems.length > 0)
      deps.log(`what the ${shape.name} shape logged:\n${problems.join('\n')}\n`);
    throw err;
  }
}

/** The measured run `key` names (`direct@<rate>` or `group`) on a shape. */
function jobOf(plan: ClusterPlan, shape: Shape, key: string): Job {
  const at = { url: shape.api, gateways: shape.gateways };
  if (key.startsWith('direct@')) {
    const params = {
      pairs: plan.pairs,
      rate: Number(key.slice('direct@'.length)),
      durationMs: plan.durationMs,
      warmUpMs: plan.warmUpMs,
      target: 'parley',
    } as const;
    return { ...at, kind: 'direct', params };
  }
  const params = {
    members: plan.members,
    online: plan.online,
    rate: plan.groupRate,
    durationMs: plan.durationMs,
    warmUpMs: plan.warmUpMs,
    target: 'parley',
  } as const;
  return { ...at, kind: 'group', params };
}

function keys(plan: ClusterPlan): string[] {
  return [
    ...(plan.scenarios.includes('direct') ? plan.rates.map((rate) => `direct@${rate}`) : []),
    ...(plan.scenarios.includes('group') ? ['group'] : []),
  ];
}
