/**
 * The default backoff before a failed task is offered again: 100 ms after the first failure,
 * doubling, at most 5 s. Short, since most failures are a dependency's brief hiccup, and the
 * attempts are few (ConsumeOptions.maxDeliveries).
 */
export function retryDelay(deliveries: number): number {
  return Math.min(100 * 2 ** Math.max(0, deliveries - 1), 5_000);
}
