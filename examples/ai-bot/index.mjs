// An async Parley extension for `ai` messages: answers word by word, the way a language model
// streams, with several MSG_PENDING results of a growing `text` message and then MSG_SUCCESS.
// The "model" is a canned answer, so it runs offline. Run: node examples/ai-bot/index.mjs
import { parsePayload, serveExtension, text } from '@parley/ext';
import { setTimeout as sleep } from 'node:timers/promises';

const env = process.env;
const WORD_DELAY_MS = Number(env.PARLEY_AI_BOT_DELAY_MS ?? 150);

/** Stands in for a model: the same question always gets the same answer. */
function answer(question) {
  return `You asked: "${question}". I am a demo bot, so I can only say that I heard you, word by word.`;
}

async function handleAi(msg, reply, { signal }) {
  const { text: question } = parsePayload(msg);
  if (typeof question !== 'string' || question.trim() === '') {
    return reply.reject('text is required.');
  }
  const words = answer(question.trim()).split(' ');
  try {
    // Every partial result is the same generated message (its id comes from its position),
    // growing by one word; Parley shows it as it grows.
    for (let i = 1; i < words.length; i++) {
      await reply.partial(text(words.slice(0, i).join(' ')));
      await sleep(WORD_DELAY_MS, undefined, { signal });
    }
  } catch (err) {
    // The extension is closing: say so. Otherwise (Parley refused or cannot be reached, an
    // ExtError CALLBACK_FAILED) let the library log it and report MSG_FAILED if it can.
    if (signal.aborted) return reply.fail('The bot was stopped before it finished.');
    throw err;
  }
  await reply.complete(text(words.join(' ')));
}

const ext = await serveExtension({
  types: { ai: { mode: 'async', handleAsync: handleAi } },
  host: env.PARLEY_EXT_HOST ?? '127.0.0.1',
  port: Number(env.PARLEY_EXT_PORT ?? 0),
  etcd: {
    endpoints: (env.PARLEY_ETCD_ENDPOINTS ?? 'http://127.0.0.1:2379').split(','),
    keyPrefix: env.PARLEY_EXT_KEY_PREFIX ?? '/parley/ext/services',
    leaseTtlSeconds: Number(env.PARLEY_EXT_LEASE_TTL ?? 10),
  },
  logger: (level, message, fields) =>
    process.stderr.write(`${level} ${message} ${fields?.err ?? ''}\n`),
});
process.stdout.write(`ai extension serving on ${ext.addr} (instance ${ext.instanceId})\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => ext.close().then(() => process.exit(0)));
}
