import { Counter, Gauge, type Registry } from 'prom-client';

/** The device gateway's and the AI link's metrics (docs/devices.md, Operations). */
export interface DeviceMetrics {
  readonly sessions: Gauge;
  readonly audioFrames: Counter<'direction'>;
  /** One relayed frame: counted here, added to `audioFrames` when it is read (not per frame). */
  readonly frameRelayed: (direction: 'up' | 'down') => void;
  readonly audioDropped: Counter<'reason'>;
  readonly slowConsumers: Counter;
  readonly aiReconnects: Counter;
  readonly aiCongested: Counter;
  readonly aiWarnings: Counter<'what'>;
  readonly journalRowsDropped: Counter;
}

export function createDeviceMetrics(registry: Registry): DeviceMetrics {
  const registers = [registry];
  const relayed = { up: 0, down: 0 };
  return {
    frameRelayed: (direction) => relayed[direction]++,
    sessions: new Gauge({
      name: 'parley_device_connections',
      help: 'Device WebSocket connections open on this node.',
      registers,
    }),
    audioFrames: new Counter({
      name: 'parley_device_audio_frames_total',
      help: 'Opus frames relayed, direction=up (device to AI) or down (AI to device).',
      labelNames: ['direction'],
      registers,
      collect(this: Counter<'direction'>) {
        for (const direction of ['up', 'down'] as const) {
          this.labels(direction).inc(relayed[direction]);
          relayed[direction] = 0;
        }
      },
    }),
    audioDropped: new Counter({
      name: 'parley_device_audio_dropped_total',
      help: 'Opus frames dropped: not_listening (sent outside a listen), late (the AI stream could not take it in time), aborted (AI audio after an abort).',
      labelNames: ['reason'],
      registers,
    }),
    slowConsumers: new Counter({
      name: 'parley_device_slow_consumer_closes_total',
      help: 'Devices cut off because their send queue passed its bound.',
      registers,
    }),
    aiReconnects: new Counter({
      name: 'parley_ai_stream_reconnects_total',
      help: 'ChatStreams to the AI service opened again after one broke.',
      registers,
    }),
    aiCongested: new Counter({
      name: 'parley_ai_stream_congested_total',
      help: "Times a ChatStream's write buffer filled and the devices on it were paused.",
      registers,
    }),
    aiWarnings: new Counter({
      name: 'parley_ai_link_warnings_total',
      help: 'Streams that broke (what=stream_broken) and responses dropped (what=response_dropped).',
      labelNames: ['what'],
      registers,
    }),
    journalRowsDropped: new Counter({
      name: 'parley_device_journal_rows_dropped_total',
      help: 'Device log and event rows dropped because the store fell behind.',
      registers,
    }),
  };
}
