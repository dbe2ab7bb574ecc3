/** Reading Linux's /proc/PID/stat: find a process among another's descendants, sum CPU. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /**
   * utime + stime + cutime + cstime, in clock ticks: the process's own CPU (all its threads)
   * and that of the children it has reaped, so a backend that exits inside a measured window
   * still counts, in its parent.
   */
  readonly cpuTicks: number;
}

/** pid, command name, parent pid and CPU ticks from /proc/PID/stat (the name may hold spaces). */
export function parseProcStat(stat: string): ProcEntry {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc stat line');
  const rest = stat.slice(close + 2).split(' ');
  const field = (i: number) => Number(rest[i] ?? 0) || 0;
  return {
    pid: Number(stat.slice(0, open).trim()),
    comm: stat.slice(open + 1, close),
    ppid: field(1),
    cpuTicks: field(11) + field(12) + field(13) + field(14),
  };
}

/** The first process named `comm` that is `root` itself or descends from it. */
export function findDescendant(
  procs: readonly ProcEntry[],
  root: number,
  comm: string,
): number | undefined {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const descends = (p: ProcEntry): boolean => {
    for (let cur: ProcEntry | undefined = p, hops = 0; cur && hops < 64; hops++) {
      if (cur.pid === root) return true;
      cur = byPid.get(cur.ppid);
    }
    return false;
  };
  return procs.find((p) => p.comm === comm && descends(p))?.pid;
}

/**
 * CPU ticks of `root` and every live descendant (PostgreSQL's backends are the postmaster's
 * children). 0 when `root` is gone.
 */
export function treeTicks(procs: readonly ProcEntry[], root: number): number {
  return tree(procs, root).reduce((ticks, p) => ticks + p.cpuTicks, 0);
}

/** `root` and every live descendant; empty when `root` is gone. */
export function tree(procs: readonly ProcEntry[], root: number): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  for (const p of procs) {
    const siblings = children.get(p.ppid);
    if (siblings === undefined) children.set(p.ppid, [p]);
    else siblings.push(p);
  }
  const top = procs.find((p) => p.pid === root);
  if (top === undefined) return [];
  const found: ProcEntry[] = [];
  const seen = new Set<number>();
  const stack = [top];
  while (stack.length > 0) {
    const p = stack.pop() as ProcEntry;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    found.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return found;
}

/**
 * SIGKILLs every process of the trees at once, synchronously: the last resort when the bench
 * exits without having stopped them (their temp dirs stay behind).
 */
export function killTrees(roots: Iterable<number>): void {
  const procs = readProcs();
  for (const root of roots) {
    for (const p of tree(procs, root)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/** Every process now on the machine (those that exit while being read are left out). */
export function readProcs(): ProcEntry[] {
  const procs: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      procs.push(parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  return procs;
}

/** Clock ticks per second of /proc's CPU fields (`getconf CLK_TCK`; 100 on Linux here). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** CPU seconds of each named process tree, from one reading of /proc. */
export function treeCpuSeconds(
  roots: ReadonlyMap<string, number>,
  ticksPerSecond: number,
  procs: readonly ProcEntry[] = readProcs(),
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of roots) out[name] = treeTicks(procs, pid) / ticksPerSecond;
  return out;
}

/**
 * Busy CPU seconds of the whole machine since boot, from /proc/stat's `cpu` line: user, nice,
 * system, irq, softirq and steal (guest time is inside user); idle and iowait left out.
 */
export function machineBusySeconds(procStat: string, ticksPerSecond: number): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((v) => Number(v) || 0);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return busy / ticksPerSecond;
}
