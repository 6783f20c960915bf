// Browser end-to-end helpers: Debian's Chromium through playwright-core (never a downloaded
// browser), sign-in through the UI, and axe-core in the page.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from '../support/fixtures.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
];

/** The browser tests never skip: without Chromium they fail with a clear message. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for the browser tests and was not found at ${CHROMIUM_PATH}. Install it with "apt-get install -y chromium".`);
  }
}

export async function launchChromium(): Promise<Browser> {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface SignedIn {
  context: BrowserContext;
  page: Page;
  /** Every HTTP request the page made (WebSocket frames are not requests). */
  requests: { url: string; method: string; at: number }[];
}

/** A fresh browser context signed in through the login form. */
export async function signIn(browser: Browser, baseUrl: string, email: string, options: { password?: string; width?: number; before?: (context: BrowserContext) => Promise<void> } = {}): Promise<SignedIn> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: 900 }, acceptDownloads: true });
  await options.before?.(context);
  const page = await context.newPage();
  const requests: SignedIn['requests'] = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), at: Date.now() }));
  page.on('pageerror', (e) => console.error(`page error (${email}): ${e.message}`));
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(options.password ?? PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/agents');
  return { context, page, requests };
}

/** API requests (GraphQL over HTTP and REST) made by the page after `since`. */
export function apiRequestsSince(requests: SignedIn['requests'], since: number): string[] {
  return requests.filter((r) => r.at >= since && /\/(graphql|api\/)/.test(r.url)).map((r) => `${r.method} ${r.url}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core violations inside `selector` (every rule, colour contrast included: this is a real browser). */
export async function axeViolations(page: Page, selector: string): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document.querySelector(sel));
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, selector);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
