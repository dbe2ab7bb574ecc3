// The web app's figures: its gzipped size, and the time to first render of a conversation of
// 10,000 messages in Debian's Chromium. Printed, not asserted (a shared machine's timings
// vary); the size budget and the virtualisation (few rows in the DOM) are asserted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../../server/test/support/e2e-fixture.js';
import { logInApp, openApp, useBrowser, WEB_DIST } from './support/browser.js';

const MESSAGES = 10_000;
const BATCH = 500;
const BUDGET_BYTES = 150 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('web client figures', () => {
  const t = e2eServer('sqlite', {
    web_dir: WEB_DIST,
    ws_rate_per_second: 100_000,
    ws_rate_burst: 100_000,
  });
  const browser = useBrowser();

  it('reports the gzipped size of the app, within its 150 KB budget', () => {
    const shipped = files(WEB_DIST).filter((f) => /\.(js|css|html)$/.test(f));
    const gzipped = shipped.reduce(
      (sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length,
      0,
    );
    console.log(`web app: ${shipped.length} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('reports the time to first render of a 10,000-message conversation, rendering few rows', async () => {
    const a = await t.account('alice');
    const b = await t.account('bob');
    await t.befriend(a, b);
    const ws = await t.connect(a);
    for (let start = 0; start < MESSAGES; start += BATCH) {
      const replies = await Promise.all(
        Array.from({ length: BATCH }, (_, i) =>
          ws.request('message.send', {
            to_user_id: b.user.user_id,
            client_msg_id: `bench-${start + i}`,
            type: 'text',
            content: {
              text: `Message number ${start + i + 1}, long enough to wrap on a phone screen now and then.`,
            },
          }),
        ),
      );
      expect(replies.every((r) => r.ok)).toBe(true);
    }

    const bob = await openApp(browser(), t.url);
    await logInApp(bob.page, b.user.username, PASSWORD);
    const row = bob.page.getByRole('button', { name: new RegExp(a.user.username) });
    await row.waitFor();
    // Timed inside the page: from the click to the frame that shows the newest message.
    await bob.page.evaluate((last) => {
      const w = window as unknown as { benchStart?: number; benchPainted?: number };
      document.addEventListener('click', () => (w.benchStart = performance.now()), {
        capture: true,
        once: true,
      });
      const observer = new MutationObserver(() => {
        if (document.querySelector(`[data-seq="${last}"]`) === null) return;
        observer.disconnect();
        requestAnimationFrame(() => (w.benchPainted = performance.now()));
      });
      observer.observe(document.body, { childList: true, subtree: true });
    }, MESSAGES);
    await row.click();
    await bob.page.waitForFunction(
      () => (window as unknown as { benchPainted?: number }).benchPainted !== undefined,
    );
    const firstRender = await bob.page.evaluate(() => {
      const w = window as unknown as { benchStart: number; benchPainted: number };
      return w.benchPainted - w.benchStart;
    });

    // One scroll to the top loads the page before, and what was read stays in place.
    const scroller = bob.page.getByRole('region', { name: /^Messages/ });
    const firstShown = MESSAGES - 49; // the newest page holds 50
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await bob.page.locator(`[data-seq="${firstShown - 5}"]`).waitFor({ state: 'attached' });
    await bob.page.waitForTimeout(500);
    const anchored = await scroller.evaluate((el, seq) => {
      const row = el.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
      return row === null
        ? undefined
        : row.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, firstShown);
    expect(anchored).toBeGreaterThanOrEqual(0);
    expect(anchored).toBeLessThan(200);

    // Scrolling up loads older pages; the DOM keeps only the rows near the viewport.
    const oldest = MESSAGES - 1_000;
    await bob.page.waitForFunction(
      (seq) => {
        const scroller = document.querySelector<HTMLElement>('.scroller');
        if (scroller !== null) scroller.scrollTop = 0;
        return document.querySelector(`[data-seq="${seq}"]`) !== null;
      },
      oldest,
      { timeout: 30_000 },
    );
    const loaded = MESSAGES - oldest + 1;
    const rows = await bob.page.locator('.row').count();
    console.log(
      `web app: first render of a ${MESSAGES}-message conversation ${firstRender.toFixed(0)} ms after the click; ` +
        `after scrolling back through ${loaded} messages, ${rows} rows in the DOM`,
    );
    expect(rows).toBeLessThan(150);
    expect(bob.appErrors()).toEqual([]);
    await bob.context.close();
  }, 120_000);
});
