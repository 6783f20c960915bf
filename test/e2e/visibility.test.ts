// Who sees the Debug tab (web-ui.md 4.1, case 41), and the settings pages as an admin and a member,
// with and without the deployment override (cases 2, 9, 22), in a real browser.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHATS, enableRecording, ingest, runsPath } from '../support/debug.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, signIn, sleep, type SignedIn } from './support.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Every GraphQL response body the page received, to prove no debug data reached it. */
function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', async (response) => {
    if (!response.url().endsWith('/graphql')) return;
    bodies.push(await response.text().catch(() => ''));
  });
  return bodies;
}

async function debugTabState(page: Page): Promise<'tab' | 'none'> {
  // The chat page has loaded once its heading shows; the Debug tab comes with the debug query.
  await page.getByRole('heading', { level: 1 }).waitFor();
  await sleep(500);
  return (await page.getByRole('tab', { name: 'Debug' }).count()) > 0 ? 'tab' : 'none';
}

describe('41. TabVisibility', () => {
  let server: TestServer;
  let users: Users;
  let write: ReturnType<typeof ingest>;
  const sessions: SignedIn[] = [];

  beforeAll(async () => {
    server = await startTestServer('pglite');
    users = await createUsers(server.api);
    write = ingest(server);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.context.close()));
    await server?.close();
  });

  const session = async (email: string) => {
    const signedIn = await signIn(browser, server.url, email);
    sessions.push(signedIn);
    return signedIn;
  };

  test('owner with logging on: the tab with the empty state; logging off and no runs: no tab', async () => {
    const quiet = await createChat(server.api, users.member.token, { title: 'No recording' });
    const { page } = await session(users.member.email);
    await page.goto(`${server.url}/agents/${quiet}`);
    expect(await debugTabState(page)).toBe('none');
    await enableRecording(server, users);
    const chatId = await createChat(server.api, users.member.token, { title: 'Recording on' });
    await page.goto(`${server.url}/agents/${chatId}`);
    await page.getByRole('tab', { name: 'Debug' }).click();
    await page.getByText('No debug runs recorded yet').waitFor();
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Debug', 'Desktop']);
  });

  test('a reader of a shared chat with runs: the tab with the runs; the owner who opted out but has runs: the tab', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, users.member.token, { title: 'Shared with runs' });
    const run = await write.startRun(users.member.token, chatId, { kind: 'chat_turn', first_message: 'Visible to readers' });
    await share(server.api, users.member.token, chatId, users.member2.id);
    const reader = await session(users.member2.email);
    await reader.page.goto(`${server.url}/agents/${chatId}`);
    await reader.page.getByRole('tab', { name: 'Debug' }).click();
    await reader.page.getByText('Visible to readers').waitFor();
    // The reader's own opt-in plays no part: member2 never opted in.
    expect((await server.api.get(`${CHATS}/config/user-debug-logging`, { token: users.member2.token })).body.debug_logging_enabled).toBe(false);

    const optOut = await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: false } });
    expect(optOut.status).toBe(204);
    const owner = await session(users.member.email);
    await owner.page.goto(`${server.url}/agents/${chatId}`);
    await owner.page.getByRole('tab', { name: 'Debug' }).click();
    await owner.page.getByText('Visible to readers').waitFor();
    expect(run.id).toBeTruthy();
  });

  test('a stranger and a site owner without a share see no debug data anywhere', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, users.member.token, { title: 'Private chat' });
    const run = await write.startRun(users.member.token, chatId, { kind: 'chat_turn', first_message: 'Secret debug run' });
    for (const email of [users.member2.email, users.owner.email]) {
      const signedIn = await session(email);
      const bodies = recordResponses(signedIn.page);
      await signedIn.page.goto(`${server.url}/agents/${chatId}`);
      await signedIn.page.getByRole('heading', { name: 'Chat not found' }).waitFor();
      await sleep(500);
      expect(await signedIn.page.getByRole('tab').count()).toBe(0);
      expect(await signedIn.page.getByText('Secret debug run').count()).toBe(0);
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) {
        expect(body).not.toContain(run.id);
        expect(body).not.toContain('Secret debug run');
      }
      // The same answer as a chat that does not exist, on every path.
      const token = email === users.owner.email ? users.owner.token : users.member2.token;
      expect((await server.api.get(runsPath(chatId), { token })).status).toBe(404);
      const graphql = await server.api.graphql('query($id: ID!) { chat(id: $id) { id debugRuns { id } } }', { id: chatId }, token);
      expect(graphql.body).toEqual({ data: { chat: null } });
    }
  });

  test('settings pages: the site owner sees Experiments with an editable admin toggle; a member gets the permission dialog and General', async () => {
    const admin = await session(users.owner.email);
    await admin.page.goto(`${server.url}/agents/settings/experiments`);
    const allow = admin.page.getByRole('switch', { name: 'Allow users to enable chat debug logging' });
    await expect.poll(() => allow.isEnabled()).toBe(true);
    expect(await admin.page.getByText('Lets users turn on debug logging for their own chats from their General settings.', { exact: false }).count()).toBe(1);
    expect(await admin.page.getByRole('heading', { level: 2, name: 'Experiments' }).count()).toBe(1);

    const member = await session(users.member.email);
    const operations: string[] = [];
    member.page.on('request', (r) => {
      if (r.url().endsWith('/graphql')) operations.push(r.postDataJSON()?.operationName ?? '');
    });
    await member.page.goto(`${server.url}/agents/settings/experiments`);
    const dialog = member.page.getByRole('dialog', { name: "You don't have permission to view this page" });
    await dialog.waitFor();
    expect(await dialog.getByRole('link', { name: 'Go to agents' }).getAttribute('href')).toBe('/agents');
    expect(operations).not.toContain('DebugLoggingAdminSettings');
    await member.page.goto(`${server.url}/agents/settings/general`);
    await member.page.getByRole('heading', { level: 2, name: 'General' }).waitFor();
    await expect.poll(() => member.page.getByRole('switch', { name: 'Enable personal chat debug logging' }).isEnabled()).toBe(true);
  });

  test('settings with the keyboard: number fields keep the typed text; a switch and Save keep focus through their save', async () => {
    const admin = await session(users.owner.email);
    const page = admin.page;
    await page.goto(`${server.url}/agents/settings/experiments`);
    const enable = page.getByRole('switch', { name: 'Enable advisor' });
    await expect.poll(() => enable.isEnabled()).toBe(true);
    if ((await enable.getAttribute('aria-checked')) !== 'true') await enable.click();
    const maxUses = page.getByLabel('Max uses per run');
    // Typed text a number input cannot read yet ("2.", "-") must not be erased or reordered.
    for (const [typed, valid] of [['2.5', false], ['-3', false], ['1e5', false], ['12', true]] as const) {
      await maxUses.fill('');
      await maxUses.pressSequentially(typed);
      expect(await maxUses.inputValue()).toBe(typed);
      expect(await maxUses.getAttribute('aria-invalid'), typed).toBe(valid ? null : 'true');
      expect(await page.getByText('Max uses per run must be a non-negative integer.').count(), typed).toBe(valid ? 0 : 1);
      expect(await page.getByRole('button', { name: 'Save' }).isDisabled(), typed).toBe(!valid);
    }
    // Enter submits; the form is disabled while saving, then focus is back in the form.
    await maxUses.press('Enter');
    await page.getByText('Saved.').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim() ?? document.activeElement?.tagName)).toBe('Saved.');

    // A save-on-change switch, pressed twice with Space: it is disabled while each change saves.
    const allow = page.getByRole('switch', { name: 'Allow users to enable chat debug logging' });
    const before = await allow.getAttribute('aria-checked');
    await allow.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => allow.getAttribute('aria-checked')).not.toBe(before);
    await expect.poll(() => allow.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => allow.getAttribute('aria-checked')).toBe(before);
    await expect.poll(() => allow.evaluate((el) => el === document.activeElement)).toBe(true);
  });
});

describe('under the deployment override (--chat-debug-logging-enabled)', () => {
  let server: TestServer;
  let users: Users;
  const sessions: SignedIn[] = [];

  beforeAll(async () => {
    server = await startTestServer('pglite', { args: ['--chat-debug-logging-enabled'] });
    users = await createUsers(server.api);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.context.close()));
    await server?.close();
  });

  test('22. ReadOnlyUnderOverride: both toggles are read-only for the admin; the member is locked on; every chat has the Debug tab', async () => {
    const admin = await signIn(browser, server.url, users.owner.email);
    sessions.push(admin);
    await admin.page.goto(`${server.url}/agents/settings/experiments`);
    const allow = admin.page.getByRole('switch', { name: 'Allow users to enable chat debug logging' });
    await admin.page.getByText('Debug logging is already enabled deployment-wide, so this per-user setting has no effect right now.').waitFor();
    await expect.poll(() => allow.isDisabled()).toBe(true);
    await admin.page.goto(`${server.url}/agents/settings/general`);
    const own = admin.page.getByRole('switch', { name: 'Enable personal chat debug logging' });
    await admin.page.getByText('An administrator has enabled debug logging for every chat in this deployment, so this toggle is locked on.').waitFor();
    expect(await own.getAttribute('aria-checked')).toBe('true');
    expect(await own.isDisabled()).toBe(true);

    const member = await signIn(browser, server.url, users.member.email);
    sessions.push(member);
    await member.page.goto(`${server.url}/agents/settings/general`);
    const locked = member.page.getByRole('switch', { name: 'Enable personal chat debug logging' });
    await member.page.getByText('An administrator has enabled debug logging for every chat in this deployment, so this toggle is locked on.').waitFor();
    expect(await locked.getAttribute('aria-checked')).toBe('true');
    expect(await locked.isDisabled()).toBe(true);
    // The PUTs are refused too, and nothing changed.
    expect((await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: false } })).status).toBe(409);
    await member.page.goto(`${server.url}/agents/settings/experiments`);
    await member.page.getByRole('dialog', { name: "You don't have permission to view this page" }).waitFor();

    await member.page.goto(`${server.url}/agents`);
    await member.page.getByRole('button', { name: 'New chat' }).click();
    await member.page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    await member.page.getByRole('tab', { name: 'Debug' }).click();
    await member.page.getByText('No debug runs recorded yet').waitFor();
  });
});
