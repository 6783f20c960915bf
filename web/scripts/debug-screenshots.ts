// Screenshots of the Debug tab with real data, for looking at it. Start `npm run demo` (a demo owner
// and a simulated agent recording runs), then:
//   node --import tsx web/scripts/debug-screenshots.ts http://localhost:3000
// Writes PNGs into screenshots/ (git-ignored).
import { mkdir } from 'node:fs/promises';
import { chromium, type Page } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const email = process.argv[3] ?? 'demo@example.com';
const password = process.argv[4] ?? 'demo-password';
const out = 'screenshots';

async function shot(page: Page, name: string, fullPage = false) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage });
  console.log(`screenshots/${name}.png`);
}

await mkdir(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'],
});
const errors: string[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/agents');
  await page.getByRole('link', { name: /Fix the flaky build/ }).first().click();
  await page.getByRole('tab', { name: 'Debug' }).click();
  const runs = page.getByRole('list', { name: 'Debug runs' });
  await runs.getByRole('listitem').nth(2).waitFor({ timeout: 30_000 });
  await shot(page, 'debug-01-list');

  // Expand the newest finished chat turn, then its steps.
  // The second finished run, so the rows above it stay in view.
  await runs.getByRole('listitem').filter({ hasText: 'completed' }).nth(1).getByRole('button').first().click();
  // The expanded run, wherever new runs push it.
  const finished = page.locator('li.dbg-run.dbg-open');
  await finished.getByRole('button', { name: /^Step 1/ }).click();
  await page.mouse.move(0, 0);
  await shot(page, 'debug-02-run-expanded');
  await finished.getByRole('button', { name: /^Tools/ }).click().catch(() => undefined);
  await shot(page, 'debug-03-step-tools');
  await finished.getByRole('button', { name: /^Step 2/ }).click().catch(() => undefined);
  const attempt = finished.getByRole('button', { name: /^Attempt 1/ }).first();
  if (await attempt.count()) await attempt.click();
  await shot(page, 'debug-04-attempt', true);

  // The panel at 560 px: a 592 px window stacks it under the chat.
  await page.setViewportSize({ width: 592, height: 1100 });
  await page.getByRole('tab', { name: 'Debug' }).evaluate((el) => el.scrollIntoView());
  await shot(page, 'debug-05-narrow');

  // Keyboard focus on a copy button shows it.
  await page.setViewportSize({ width: 1440, height: 1000 });
  const copy = finished.getByRole('button', { name: 'Copy request body JSON' });
  await finished.getByRole('button', { name: 'Request body' }).first().click();
  await copy.first().focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await shot(page, 'debug-06-copy-focus');
} finally {
  await browser.close();
}
if (errors.length) {
  console.log('console errors:');
  for (const e of errors) console.log(`  ${e}`);
}
