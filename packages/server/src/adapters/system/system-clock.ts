import type { Clock } from '../../ports/system.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
