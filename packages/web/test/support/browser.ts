import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM } from '../../../server/test/support/engines.js';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
/** The built app (`npm run build`); the tests serve it from here. */
export const WEB_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Console lines a page may print while the server is away on purpose (a restart). */
const NETWORK_NOISE = /WebSocket connection to .* failed|net::ERR_CONNECTION_REFUSED/;

/** One person in one browser context: their page and what it printed as errors. */
export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** console.error lines and uncaught exceptions of the page. */
  readonly errors: string[];
  /** The errors, less network failures (expected while the server restarts). */
  appErrors(): string[];
}

/** One headless Debian Chromium for the describe, closed afterwards. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(`${WEB_DIST}/index.html`)) {
      throw new Error(`the web app is not built in ${WEB_DIST}: run npm run build first`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw new Error('the browser starts in beforeAll');
    return browser;
  };
}

export async function openApp(browser: Browser, url: string, viewport = DESKTOP): Promise<Person> {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  // A step that cannot happen fails with its locator named, well before the test's timeout.
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  return {
    context,
    page,
    errors,
    appErrors: () => errors.filter((e) => !NETWORK_NOISE.test(e)),
  };
}

/** Creates an account through the sign-in screen; resolves once the chat shell shows. */
export async function registerInApp(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function logInApp(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Writes docs/screenshots/<name>-desktop.png and -phone.png of the page as it is. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${SCREENSHOTS}${name}-desktop.png` });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png` });
  await page.setViewportSize(size);
}

/** The open chat's message bubble holding `text`. */
export const bubble = (page: Page, text: string) => page.locator('.msg', { hasText: text });
