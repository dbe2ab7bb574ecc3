/** What the extension router reports; observability/ implements it with prom-client. */
export interface ExtMetrics {
  call(
    msgType: string,
    instanceId: string,
    method: 'handle' | 'handle_async',
    outcome: string,
    seconds: number,
  ): void;
  breaker(msgType: string, instanceId: string, state: 'closed' | 'open' | 'half_open'): void;
}

export const NO_EXT_METRICS: ExtMetrics = { call: () => {}, breaker: () => {} };
