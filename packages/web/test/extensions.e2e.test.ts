// Extension messages in the browser, with the example services of examples/ running as real
// processes: a red packet renders as a card, and the AI bot's reply streams in word by word.
import { describe, expect, inject, it } from 'vitest';
import { e2eServersPerTest, PASSWORD } from '../../server/test/support/e2e-fixture.js';
import { run } from '../../server/test/support/process.js';
import { bubble, logInApp, openApp, screenshots, useBrowser, WEB_DIST } from './support/browser.js';

const ANSWER = 'I am a demo bot, so I can only say that I heard you, word by word.';

describe('the web client with the example extension services', () => {
  const { start, onClose } = e2eServersPerTest();
  const browser = useBrowser();

  /** Starts examples/<name> (registered under its own etcd prefix); resolves with its address. */
  async function example(name: string, env: Record<string, string> = {}): Promise<string> {
    const proc = run(process.execPath, [`examples/${name}/index.mjs`], {
      PARLEY_ETCD_ENDPOINTS: inject('etcdEndpoint'),
      PARLEY_EXT_KEY_PREFIX: `/web-test-${process.pid}-${Date.now()}/services`,
      ...env,
    });
    onClose(() => proc.signal('SIGKILL'));
    return proc.waitFor(/serving on (\S+) /, 30_000);
  }

  it('renders the red-packet card and a streamed AI reply', async () => {
    const [redpacket, ai] = await Promise.all([
      example('redpacket'),
      example('ai-bot', { PARLEY_AI_BOT_DELAY_MS: '200' }),
    ]);
    const t = await start('sqlite', {
      web_dir: WEB_DIST,
      ext_timeout_ms: 5_000,
      ext: {
        services: {
          redpacket: [{ instance_id: 'redpacket-1', addr: redpacket, mode: 'sync' }],
          ai: [{ instance_id: 'ai-1', addr: ai, mode: 'async' }],
        },
      },
    });
    const a = await t.account('alice');
    const b = await t.account('bob');
    await t.befriend(a, b);
    expect((await t.post('/v1/conversations', a, { user_id: b.user.user_id })).status).toBe(201);
    const alice = await openApp(browser(), t.url);
    const bob = await openApp(browser(), t.url);
    await logInApp(alice.page, a.user.username, PASSWORD);
    await logInApp(bob.page, b.user.username, PASSWORD);
    await alice.page.getByRole('button', { name: new RegExp(b.user.username) }).click();
    await bob.page.getByRole('button', { name: new RegExp(a.user.username) }).click();

    // A red packet: the service accepts it and adds a notice from the system.
    await alice.page.getByRole('button', { name: 'Send a red packet' }).click();
    await alice.page.getByRole('button', { name: 'Send red packet' }).click();
    for (const p of [alice, bob]) {
      await p.page.getByRole('group', { name: 'Red packet' }).getByText('Happy new year').waitFor();
      await p.page.locator('.system-line', { hasText: 'sent a red packet' }).waitFor();
    }

    // The AI bot: its answer grows in place (message.updated, partial), then settles.
    const box = alice.page.getByLabel('Message', { exact: true });
    await box.fill('/ai What is Parley?');
    await box.press('Enter');
    const reply = bubble(bob.page, 'You asked');
    await reply.waitFor();
    const firstSeen = await reply.locator('.text').textContent();
    await bubble(bob.page, ANSWER).waitFor({ timeout: 20_000 });
    await bubble(alice.page, ANSWER).waitFor();
    expect(firstSeen?.length).toBeLessThan(`You asked: "What is Parley?". ${ANSWER}`.length);
    await expect(reply.locator('.caret').count()).resolves.toBe(0);
    await screenshots(bob.page, 'extensions');

    expect(alice.appErrors()).toEqual([]);
    expect(bob.appErrors()).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  }, 90_000);
});
