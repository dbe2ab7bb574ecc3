import { describe, expect, it } from 'vitest';
import {
  findDescendant,
  machineBusySeconds,
  parseProcStat,
  treeCpuSeconds,
  treeTicks,
} from './proc.js';

/** A stat line with the given utime, stime, cutime and cstime. */
const stat = (pid: number, comm: string, ppid: number, cpu: [number, number, number, number]) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 10 0 0 0 ${cpu.join(' ')} 20 0 1 0 5`;

describe('/proc stat lines', () => {
  it('reads pid, name (spaces and parentheses included) and parent', () => {
    expect(parseProcStat('8666 (beam.smp) S 8664 8664 1 0 -1 4194560 1 2 3')).toMatchObject({
      pid: 8666,
      comm: 'beam.smp',
      ppid: 8664,
    });
    expect(parseProcStat('12 (a (b) c) R 7 12 12 0').comm).toBe('a (b) c');
    expect(() => parseProcStat('garbage')).toThrow();
  });

  it('sums utime, stime and the reaped children’s cutime and cstime', () => {
    expect(parseProcStat(stat(5, 'postgres', 1, [120, 30, 7, 3])).cpuTicks).toBe(160);
    expect(parseProcStat(stat(6, 'a b) (c', 1, [1, 2, 0, 0])).cpuTicks).toBe(3);
  });

  it('finds a named process that is the root or one of its descendants', () => {
    const procs = [
      { pid: 1, comm: 'init', ppid: 0, cpuTicks: 0 },
      { pid: 50, comm: 'beam.smp', ppid: 1, cpuTicks: 0 },
      { pid: 100, comm: 'sh', ppid: 1, cpuTicks: 0 },
      { pid: 101, comm: 'erlexec', ppid: 100, cpuTicks: 0 },
      { pid: 102, comm: 'beam.smp', ppid: 101, cpuTicks: 0 },
    ];
    expect(findDescendant(procs, 100, 'beam.smp')).toBe(102);
    expect(findDescendant(procs, 102, 'beam.smp')).toBe(102);
    expect(findDescendant(procs, 101, 'sh')).toBeUndefined();
  });
});

describe('CPU of a process tree', () => {
  const procs = [
    stat(1, 'init', 0, [1000, 1000, 0, 0]),
    stat(200, 'postgres', 1, [50, 10, 40, 0]),
    stat(201, 'postgres', 200, [300, 100, 0, 0]),
    stat(202, 'postgres', 200, [5, 5, 0, 0]),
    stat(203, 'postgres', 201, [1, 1, 0, 0]),
    stat(300, 'nats-server', 1, [70, 30, 0, 0]),
  ].map(parseProcStat);

  it('adds every descendant of the root, and nothing beside it', () => {
    expect(treeTicks(procs, 200)).toBe(100 + 400 + 10 + 2);
    expect(treeTicks(procs, 300)).toBe(100);
    expect(treeTicks(procs, 201)).toBe(402);
  });

  it('is 0 for a root that is gone', () => {
    expect(treeTicks(procs, 999)).toBe(0);
  });

  it('survives a parent loop without counting twice', () => {
    const loop = [stat(7, 'a', 8, [1, 0, 0, 0]), stat(8, 'b', 7, [2, 0, 0, 0])].map(parseProcStat);
    expect(treeTicks(loop, 7)).toBe(3);
  });

  it('gives seconds per named tree at the given clock rate', () => {
    const roots = new Map([
      ['postgres', 200],
      ['nats', 300],
    ]);
    expect(treeCpuSeconds(roots, 100, procs)).toEqual({ postgres: 5.12, nats: 1 });
    expect(treeCpuSeconds(roots, 250, procs)).toEqual({ postgres: 2.048, nats: 0.4 });
  });
});

describe('the machine’s busy CPU', () => {
  it('adds user, nice, system, irq, softirq and steal, not idle or iowait', () => {
    const stat = 'cpu  1000 20 300 99999 555 7 8 9 0 0\ncpu0 500 10 150 5000 1 1 1 1 0 0\n';
    expect(machineBusySeconds(stat, 100)).toBe(13.44);
    expect(() => machineBusySeconds('intr 1 2', 100)).toThrow();
  });
});
