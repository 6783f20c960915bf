// Screenshots of every page, for looking at the UI: build, start a server on a fresh data
// directory, then `node --import tsx web/scripts/screenshots.ts http://localhost:3456`.
// Writes PNGs into screenshots/ (git-ignored). Creates the owner through /setup on first use.
import { mkdir } from 'node:fs/promises';
import { chromium, type Page } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3456';
const out = 'screenshots';
const owner = { email: 'owner@example.com', username: 'owner', name: 'Olivia Owner', password: 'correct-horse-42' };
const member = { email: 'member@example.com', username: 'member', name: 'Max Member', password: 'correct-horse-42' };

/** Turns a switch on (a no-op when it already is), waiting until the server confirms. */
async function switchOn(page: Page, name: string) {
  const control = page.getByRole('switch', { name });
  await control.waitFor();
  await page.waitForFunction((n) => {
    const el = [...document.querySelectorAll('[role="switch"]')].find((e) => e.getAttribute('aria-label') === n) as HTMLButtonElement | undefined;
    return el && !el.disabled;
  }, name).catch(() => undefined);
  if ((await control.getAttribute('aria-checked')) !== 'true') await control.click();
  await page.waitForFunction((n) => [...document.querySelectorAll('[role="switch"]')].some((e) => e.getAttribute('aria-label') === n && e.getAttribute('aria-checked') === 'true'), name);
}

async function shot(page: Page, name: string) {
  await page.waitForTimeout(300);
  // Full-page captures scroll: a sticky header would be drawn mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  console.log(`screenshots/${name}.png  ${page.url()}`);
}

await mkdir(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
});
const errors: string[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));

  const first = await page.request.get(`${base}/api/v2/users/first`);
  await page.goto(`${base}/agents/settings/experiments`);
  if (first.status() === 404) {
    await page.waitForURL('**/setup');
    await shot(page, '01-setup');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Full name (optional)').fill(owner.name);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/agents');
  } else {
    await page.waitForURL('**/login**');
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Incorrect email or password.').waitFor();
    await shot(page, '02-login-error');
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/agents/settings/experiments');
  }

  await page.goto(`${base}/agents`);
  await page.getByRole('button', { name: 'New chat' }).waitFor();
  await shot(page, '03-agents');
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
  await page.getByRole('tab', { name: 'Desktop' }).waitFor();
  await shot(page, '04-chat');
  const chatUrl = page.url();
  await page.goto(`${base}/agents/00000000-0000-0000-0000-000000000001`);
  await page.getByText('Chat not found').waitFor();
  await shot(page, '05-chat-not-found');
  await page.goto(`${base}/agents`);
  await page.getByRole('link', { name: /Untitled chat/ }).first().waitFor();
  await shot(page, '06-agents-list');

  await page.goto(`${base}/agents/settings`);
  await page.waitForURL('**/agents/settings/general');
  await page.getByRole('switch', { name: 'Enable personal chat debug logging' }).waitFor();
  await shot(page, '07-general');

  await page.goto(`${base}/agents/settings/experiments`);
  await page.getByRole('switch', { name: 'Enable virtual desktop' }).waitFor();
  await page.getByText(/Unavailable:|Available to agents/).waitFor();
  await shot(page, '08-experiments');
  await switchOn(page, 'Enable virtual desktop');
  await page.getByRole('combobox', { name: 'Computer use provider' }).click();
  await shot(page, '09-experiments-provider-open');
  await page.keyboard.press('Escape');
  await switchOn(page, 'Enable advisor');
  // A value different from the stored one, so Save has something to save on every run.
  const nextUses = String(Number((await page.getByLabel('Max uses per run').inputValue()) || '0') + 1);
  await page.getByLabel('Max uses per run').fill('');
  await shot(page, '10-advisor-invalid');
  await page.getByLabel('Max uses per run').fill(nextUses);
  await page.getByLabel('Max output tokens').fill('2048');
  await page.getByRole('combobox', { name: 'Reasoning effort' }).click();
  await page.getByRole('option', { name: 'High' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await switchOn(page, 'Allow users to enable chat debug logging');
  await shot(page, '11-experiments-saved');
  // Keyboard focus shows the focus ring (:focus-visible).
  await page.getByRole('switch', { name: 'Enable advisor' }).focus();
  await page.keyboard.press('Shift+Tab');
  await shot(page, '12-focus-ring');

  // A member gets the permission dialog.
  const created = await page.request.post(`${base}/api/v2/users`, { data: { ...member, role: 'member' } });
  if (created.status() !== 201 && created.status() !== 409) throw new Error(`creating the member: ${created.status()} ${await created.text()}`);
  await page.goto(chatUrl);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login');
  await shot(page, '13-login');
  await page.goto(`${base}/agents/settings/experiments`);
  await page.waitForURL('**/login?redirect=**');
  await page.getByLabel('Email').fill(member.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/agents/settings/experiments');
  await page.getByRole('dialog').waitFor();
  await shot(page, '14-permission-dialog');

  await page.goto(`${base}/agents/settings/general`);
  await page.getByRole('switch', { name: 'Enable personal chat debug logging' }).waitFor();
  await shot(page, '15-general-member');

  const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
  const phone = await mobile.newPage();
  await phone.goto(`${base}/agents/settings/general`);
  await phone.getByRole('switch').first().waitFor();
  await shot(phone, '16-general-mobile');
} finally {
  await browser.close();
}
if (errors.length) {
  console.log('console errors:');
  for (const e of errors) console.log(`  ${e}`);
}
