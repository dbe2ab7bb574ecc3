// Two people in two browser contexts of Debian's Chromium, on a real Parley serving the built
// web app: they sign up, become friends and chat, with typing, receipts, edit and recall live.
import { describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../../server/test/support/e2e-fixture.js';
import {
  bubble,
  logInApp,
  openApp,
  PHONE,
  registerInApp,
  screenshots,
  useBrowser,
  WEB_DIST,
  type Person,
} from './support/browser.js';

describe('the web client, two people', () => {
  const t = e2eServer('sqlite', { web_dir: WEB_DIST });
  const browser = useBrowser();

  it('sign up, befriend, chat, typing, receipts, edit and recall live; reload, lobby, devices', async () => {
    const alice = await openApp(browser(), t.url);
    await screenshots(alice.page, 'sign-in');
    await registerInApp(alice.page, 'alice', PASSWORD);
    const bob = await openApp(browser(), t.url);
    await registerInApp(bob.page, 'bob', PASSWORD);

    // Alice finds Bob and asks; Bob accepts.
    await alice.page.getByRole('tab', { name: 'Friends' }).click();
    await alice.page.getByPlaceholder('Find people by username').fill('bo');
    await alice.page.getByRole('button', { name: 'Search' }).click();
    await alice.page.getByRole('button', { name: 'Add friend' }).click();
    await alice.page.getByText('Your requests').waitFor();
    await bob.page.getByRole('tab', { name: 'Friends' }).click();
    await bob.page.getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByRole('button', { name: 'Message' }).waitFor();
    // The acceptance reaches Alice live (friend.accepted): her list now has Bob.
    await alice.page.getByRole('button', { name: 'Message' }).click();

    // Alice writes first; Bob sees it arrive with an unread badge.
    await send(alice, 'Hello Bob!');
    await bubble(alice.page, 'Hello Bob!').locator('.status', { hasText: 'Sent' }).waitFor();
    await bob.page.getByRole('tab', { name: /Chats/ }).click();
    await bob.page.getByRole('button', { name: /alice.*, 1 unread/ }).waitFor();
    await screenshots(bob.page, 'conversations');

    // Bob opens it: Alice sees it read.
    await bob.page.getByRole('button', { name: /alice/ }).click();
    await bubble(bob.page, 'Hello Bob!').waitFor();
    await bubble(alice.page, 'Hello Bob!').locator('.status', { hasText: 'Read' }).waitFor();

    // Bob types: Alice sees it; then his answer arrives.
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Hi Al');
    await alice.page.getByText('bob is typing…').waitFor();
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('ice!');
    await bob.page.keyboard.press('Enter');
    await bubble(alice.page, 'Hi Alice!').waitFor();

    // Alice edits her message, then recalls another: Bob sees both live.
    await bubble(alice.page, 'Hello Bob!').getByRole('button', { name: 'Edit message' }).click();
    const box = alice.page.getByRole('textbox', { name: 'Edit message' });
    await box.fill('Hello Bob, how are you?');
    await box.press('Enter');
    await bubble(bob.page, 'Hello Bob, how are you?').getByText('edited').waitFor();
    await send(alice, 'Oops, wrong chat');
    await bubble(bob.page, 'Oops, wrong chat').waitFor();
    await bubble(alice.page, 'Oops, wrong chat')
      .getByRole('button', { name: 'Recall message' })
      .click();
    await bob.page.getByText('This message was recalled.').waitFor();
    await expect(bubble(bob.page, 'Oops, wrong chat').count()).resolves.toBe(0);
    await screenshots(alice.page, 'chat');
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await screenshots(alice.page, 'chat-dark');
    await alice.page.emulateMedia({ colorScheme: 'light' });

    // A send the server refuses (no service handles `ai` here) says why, and offers a retry.
    await send(alice, '/ai Are you there?');
    const refused = bubble(alice.page, 'Are you there?');
    await refused.getByText('Not sent').waitFor();
    await refused.getByRole('alert').waitFor();
    await refused.getByRole('button', { name: 'Retry' }).click();
    await refused.getByText('Not sent').waitFor();
    await refused.getByRole('button', { name: 'Delete' }).click();
    await refused.waitFor({ state: 'detached' });

    // Bob leaves the page and comes back: Alice sees him go offline and come back online
    // (presence is announced on a user's last disconnect and first connect).
    await bob.page.goto('about:blank');
    await alice.page.getByRole('button', { name: /^bob, offline/ }).waitFor();
    await bob.page.goto(t.url);
    await bob.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await alice.page.getByRole('button', { name: /^bob, online/ }).waitFor();

    // A reload keeps the session and the conversation.
    await bob.page.reload();
    await bob.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await bob.page.getByRole('button', { name: /alice/ }).click();
    await bubble(bob.page, 'Hello Bob, how are you?').waitFor();
    await bubble(bob.page, 'Hi Alice!').waitFor();

    // The world lobby: Alice joins and writes, Bob joins and reads it.
    for (const p of [alice, bob]) {
      await p.page.getByRole('tab', { name: 'Groups' }).click();
      await p.page
        .getByRole('region', { name: 'Public channels' })
        .getByRole('button', { name: 'Join' })
        .click();
      await p.page.getByRole('region', { name: /^Messages/ }).waitFor();
    }
    await send(alice, 'Hello, world');
    await bubble(bob.page, 'Hello, world').waitFor();

    // The friends panel, with no chat open (a phone shows one or the other).
    await alice.page.reload();
    await alice.page.getByRole('tab', { name: 'Friends' }).click();
    await alice.page.getByRole('button', { name: 'Remove' }).waitFor();
    await screenshots(alice.page, 'friends');
    // Alice signs in on a second browser, then logs it out from the first.
    const laptop = await openApp(browser(), t.url);
    await logInApp(laptop.page, 'alice', PASSWORD);
    await alice.page.getByRole('tab', { name: 'Devices' }).click();
    await alice.page.getByText('(this device)').waitFor();
    await alice.page.getByRole('button', { name: /^Log out/ }).click();
    await laptop.page.getByText('This device was signed out.').waitFor();
    await alice.page.getByRole('button', { name: /^Log out/ }).waitFor({ state: 'detached' });
    expect(laptop.appErrors()).toEqual([]);
    await laptop.context.close();

    // A wrong password says so in place; a guest gets in without an account.
    const visitor = await openApp(browser(), t.url, PHONE);
    await visitor.page.getByLabel('Username').fill('alice');
    await visitor.page.getByLabel('Password').fill('not the password');
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    await visitor.page.getByRole('alert').waitFor();
    await visitor.page.getByRole('tab', { name: 'Continue as guest' }).click();
    await visitor.page.getByLabel(/Display name/).fill('Visitor');
    await visitor.page.getByRole('button', { name: 'Continue as guest' }).click();
    await visitor.page.getByText('Guest', { exact: true }).waitFor();
    // The browser logs the wrong password's 401; nothing else.
    expect(visitor.appErrors().filter((e) => !/status of 401/.test(e))).toEqual([]);
    await visitor.context.close();

    expect(alice.appErrors()).toEqual([]);
    expect(bob.appErrors()).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  }, 120_000);
});

async function send(person: Person, text: string): Promise<void> {
  const box = person.page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}
