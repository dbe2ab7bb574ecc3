// Three people in a group, in Debian's Chromium; then the server restarts mid-chat: the
// reconnect banner shows, a message written meanwhile goes out after, and nothing is lost.
import { describe, expect, it } from 'vitest';
import { e2eServersPerTest, PASSWORD } from '../../server/test/support/e2e-fixture.js';
import { bubble, logInApp, openApp, screenshots, useBrowser, WEB_DIST } from './support/browser.js';

describe('the web client, a group of three and a restart', () => {
  const { start, startAgain } = e2eServersPerTest();
  const browser = useBrowser();

  it('creates a group, chats in it, shows roles, and survives a server restart', async () => {
    const first = await start('sqlite', { web_dir: WEB_DIST });
    const [a, b, c] = await Promise.all([
      first.account('a'),
      first.account('b'),
      first.account('c'),
    ]);
    await first.befriend(a, b);
    await first.befriend(a, c);
    const people = await Promise.all([a, b, c].map(() => openApp(browser(), first.url)));
    const [alice, bob, carol] = people as [
      (typeof people)[0],
      (typeof people)[0],
      (typeof people)[0],
    ];
    await logInApp(alice.page, a.user.username, PASSWORD);
    await logInApp(bob.page, b.user.username, PASSWORD);
    await logInApp(carol.page, c.user.username, PASSWORD);

    // Alice creates the group with both friends (friends are added at once).
    await alice.page.getByRole('tab', { name: 'Groups' }).click();
    await alice.page.getByLabel('Group name').fill('Trio');
    await alice.page.getByLabel(b.user.username).check();
    await alice.page.getByLabel(c.user.username).check();
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByRole('heading', { name: 'Trio' }).waitFor();
    const say = async (page: typeof alice.page, text: string) => {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByLabel('Message', { exact: true }).press('Enter');
    };
    await say(alice.page, 'Welcome to Trio');
    for (const p of [bob, carol]) {
      await p.page.getByRole('button', { name: /Trio/ }).click();
      await bubble(p.page, 'Welcome to Trio').waitFor();
    }
    await say(bob.page, 'Thanks!');
    await say(carol.page, 'Hi both');
    await bubble(alice.page, 'Hi both').waitFor();
    await bubble(alice.page, 'Thanks!').waitFor();
    await bubble(alice.page, 'Welcome to Trio')
      .getByText(/Read by 2/)
      .waitFor();

    // The member list with roles; the owner may promote.
    await alice.page.getByRole('button', { name: 'Members' }).click();
    const members = alice.page.getByRole('list', { name: 'Members' });
    await members.getByText('Owner', { exact: true }).waitFor();
    await members
      .getByRole('listitem')
      .filter({ hasText: b.user.username })
      .getByRole('button', { name: 'Make admin' })
      .click();
    await members.getByText('Admin', { exact: true }).waitFor();
    await screenshots(alice.page, 'group');
    await alice.page.getByRole('button', { name: 'Close' }).click();

    // The server goes away: every page shows the banner; Alice writes anyway.
    const port = Number(new URL(first.url).port);
    await first.server.stop();
    for (const p of people) await p.page.getByText(/Connection lost/).waitFor();
    await say(alice.page, 'Written while offline');
    await bubble(alice.page, 'Written while offline').getByText('Sending…').waitFor();
    await screenshots(alice.page, 'reconnecting');

    // Back on the same port and storage: the banner goes, the message goes out, all see it.
    await startAgain(first, { web_dir: WEB_DIST, port });
    for (const p of people) {
      await p.page.getByText(/Connection lost/).waitFor({ state: 'detached', timeout: 20_000 });
    }
    await bubble(alice.page, 'Written while offline')
      .locator('.status', { hasText: /Sent|Read/ })
      .waitFor();
    for (const p of [bob, carol]) await bubble(p.page, 'Written while offline').waitFor();
    await say(carol.page, 'Back again');
    await bubble(bob.page, 'Back again').waitFor();

    // Nothing lost, nothing doubled: each page shows each message once, in order.
    const expected = [
      'Welcome to Trio',
      'Thanks!',
      'Hi both',
      'Written while offline',
      'Back again',
    ];
    for (const p of people) {
      const texts = await p.page.locator('.msg .text').allTextContents();
      expect(texts).toEqual(expected);
      expect(p.appErrors()).toEqual([]);
    }
    // Moderation: the owner removes Carol, who is told and loses the conversation.
    await alice.page.getByRole('button', { name: 'Members' }).click();
    await alice.page
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem')
      .filter({ hasText: c.user.username })
      .getByRole('button', { name: 'Remove' })
      .click();
    await carol.page.getByText('You were removed from a group.').waitFor();
    await carol.page.getByRole('button', { name: /Trio/ }).waitFor({ state: 'detached' });
    await alice.page
      .getByRole('list', { name: 'Members' })
      .getByText(c.user.username)
      .waitFor({ state: 'detached' });

    for (const p of people) await p.context.close();
  }, 120_000);
});
