import { describe, expect, it } from 'vitest';
import { findDescendant, parseProcStat } from './proc.js';

describe('/proc stat lines', () => {
  it('reads pid, name (spaces and parentheses included) and parent', () => {
    expect(parseProcStat('8666 (beam.smp) S 8664 8664 1 0 -1 4194560 1 2 3')).toEqual({
      pid: 8666,
      comm: 'beam.smp',
      ppid: 8664,
    });
    expect(parseProcStat('12 (a (b) c) R 7 12 12 0').comm).toBe('a (b) c');
    expect(() => parseProcStat('garbage')).toThrow();
  });

  it('finds a named process that is the root or one of its descendants', () => {
    const procs = [
      { pid: 1, comm: 'init', ppid: 0 },
      { pid: 50, comm: 'beam.smp', ppid: 1 },
      { pid: 100, comm: 'sh', ppid: 1 },
      { pid: 101, comm: 'erlexec', ppid: 100 },
      { pid: 102, comm: 'beam.smp', ppid: 101 },
    ];
    expect(findDescendant(procs, 100, 'beam.smp')).toBe(102);
    expect(findDescendant(procs, 102, 'beam.smp')).toBe(102);
    expect(findDescendant(procs, 101, 'sh')).toBeUndefined();
  });
});
