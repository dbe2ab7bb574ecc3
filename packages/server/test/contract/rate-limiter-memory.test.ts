import { MemoryRateLimiter } from '../../src/adapters/rate-limit/rate-limiter-memory.js';
import { describeRateLimiterContract } from './rate-limiter.contract.js';

describeRateLimiterContract('memory', {
  newLimiter: async (clock) => new MemoryRateLimiter(clock),
});
