/** Reading Linux's /proc/PID/stat to find a process among another's descendants. */

export interface ProcEntry {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
}

/** pid, command name and parent pid from /proc/PID/stat (the name may hold spaces). */
export function parseProcStat(stat: string): ProcEntry {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc stat line');
  const rest = stat.slice(close + 2).split(' ');
  return {
    pid: Number(stat.slice(0, open).trim()),
    comm: stat.slice(open + 1, close),
    ppid: Number(rest[1]),
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
