import type { AiLink, AiLinkStats, AiSession } from '../../ports/ai-link.js';

/**
 * No AI service configured (PARLEY_AI_ADDR unset): devices still connect, are recorded and
 * told so by an alert; what they send goes nowhere.
 */
export class DisabledAiLink implements AiLink {
  #sessions = 0;

  state(): 'disabled' {
    return 'disabled';
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  open(): AiSession {
    this.#sessions++;
    let released = false;
    return {
      send: () => 'dropped',
      release: () => {
        if (!released) this.#sessions--;
        released = true;
      },
    };
  }

  stats(): AiLinkStats {
    return { streams: 0, liveStreams: 0, sessions: this.#sessions, reconnects: 0 };
  }
}
