// The Debug tab in a real browser against the real server (web-ui.md 4, 5, 6; acceptance cases
// 39, 40, 42 and the Debug tab part of 43). Runs are written through the REST ingestion API with the
// chat owner's token while the page watches.
import { readFile } from 'node:fs/promises';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { b64, enableRecording, ingest, runPath } from '../support/debug.ts';
import { storedEvents, waitForLiveSubscribers } from '../support/debug-stream.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { apiRequestsSince, axeViolations, launchChromium, signIn, sleep } from './support.ts';

let server: TestServer;
let users: Users;
let browser: Browser;
let write: ReturnType<typeof ingest>;

beforeAll(async () => {
  server = await startTestServer('pglite');
  users = await createUsers(server.api);
  write = ingest(server);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const token = () => users.member.token;
const hub = () => server.app.services.debugFeeds;
const runRows = (page: Page) => page.getByRole('list', { name: 'Debug runs' }).locator(':scope > li');
const rowFor = (page: Page, label: string) => runRows(page).filter({ hasText: label });

const request = (text: string) => ({
  operation: 'stream',
  normalized_request: {
    messages: [
      { role: 'system', parts: [{ type: 'text', text: 'You are a careful coding agent.' }] },
      { role: 'user', parts: [{ type: 'text', text }] },
    ],
    tools: [{ type: 'function', name: 'run_code', description: 'Runs a shell command.', has_input_schema: true, input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
    options: { max_output_tokens: 1024, temperature: 0.2 },
    tool_choice: 'auto',
    provider_option_count: 0,
  },
});

const finishedStep = (input: number, output: number) => ({
  status: 'completed',
  usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
  normalized_response: {
    content: [
      { type: 'text', text: 'Let me run the failing test.' },
      { type: 'tool-call', tool_call_id: 'call_1', tool_name: 'run_code', arguments: '{"command":"npm test"}' },
    ],
    finish_reason: 'tool-calls',
    usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
  },
  attempts: [
    {
      number: 1,
      status: 'failed',
      method: 'POST',
      url: 'https://api.anthropic.com/v1/messages?api_key=secret',
      path: '/v1/messages',
      request_headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'sk-live-123' },
      request_body: b64(JSON.stringify({ model: 'claude-sonnet-4', api_key: 'sk-live-123' })),
      response_status: 529,
      response_headers: { 'Content-Type': 'application/json' },
      response_body: b64(JSON.stringify({ type: 'error', error: { type: 'overloaded_error' } })),
      error: 'overloaded',
      started_at: '2026-05-07T10:00:01.000Z',
      finished_at: '2026-05-07T10:00:01.250Z',
      duration_ms: 250,
    },
    {
      number: 2,
      status: 'completed',
      method: 'POST',
      path: '/v1/messages',
      request_body: b64(JSON.stringify({ model: 'claude-sonnet-4' })),
      response_status: 200,
      response_headers: { 'Content-Type': 'text/event-stream' },
      response_body: b64('x'.repeat(60_000)),
      started_at: '2026-05-07T10:00:01.500Z',
      finished_at: '2026-05-07T10:00:02.000Z',
      duration_ms: 500,
    },
  ],
  metadata: { stream_summary: { finish_reason: 'tool-calls', text_delta_count: 3, tool_call_count: 1, source_count: 0, warning_count: 0, error_count: 0, part_count: 6 } },
});

/** A finished run with two steps (retries, tools, a truncated body). */
async function recordRun(chatId: string, label: string): Promise<string> {
  const run = await write.startRun(token(), chatId, { kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', first_message: label });
  for (const [i, o] of [
    [1200, 40],
    [900, 12],
  ]) {
    const s = await write.addStep(token(), chatId, run.id, request(label));
    await write.patchStep(token(), chatId, run.id, s.id, finishedStep(i, o));
  }
  await write.patchRun(token(), chatId, run.id, { status: 'completed' });
  return run.id;
}

async function openDebugTab(page: Page, chatId: string) {
  await page.goto(`${server.url}/agents/${chatId}`);
  await page.getByRole('tab', { name: 'Debug' }).click();
  await waitForLiveSubscribers(hub(), chatId, 1);
}

describe('the Debug tab, live', () => {
  test('39. LiveRunAppears: a run written through the ingestion API appears within 1 s without reload or polling; expanding shows its step and usage; finishing flips the badge in place', async () => {
    // Recording is turned on through the UI: the site owner allows opt-in, then the member opts in.
    const admin = await signIn(browser, server.url, users.owner.email);
    await admin.page.goto(`${server.url}/agents/settings/experiments`);
    const allow = admin.page.getByRole('switch', { name: 'Allow users to enable chat debug logging' });
    await expect.poll(() => allow.isEnabled()).toBe(true);
    await allow.click();
    await expect.poll(() => allow.getAttribute('aria-checked')).toBe('true');
    await admin.context.close();
    const member = await signIn(browser, server.url, users.member.email);
    const { page } = member;
    await page.goto(`${server.url}/agents/settings/general`);
    const optIn = page.getByRole('switch', { name: 'Enable personal chat debug logging' });
    await expect.poll(() => optIn.isEnabled()).toBe(true);
    await optIn.click();
    await expect.poll(() => optIn.getAttribute('aria-checked')).toBe('true');
    expect((await server.api.get('/api/experimental/chats/config/user-debug-logging', { token: token() })).body).toEqual({ debug_logging_enabled: true, user_toggle_allowed: true, forced_by_deployment: false });

    const chatId = await createChat(server.api, token(), { title: 'Live runs' });
    await openDebugTab(page, chatId);
    await page.getByText('No debug runs recorded yet').waitFor();
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    const since = Date.now();
    const run = await write.startRun(token(), chatId, { kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', first_message: 'Why is the build red?' });
    const written = Date.now();
    const row = rowFor(page, 'Why is the build red?');
    await row.waitFor({ timeout: 1000 });
    expect(Date.now() - written).toBeLessThan(1000);
    expect(await row.locator(':scope > button .dbg-status').textContent()).toBe('in_progress');
    expect(await row.locator(':scope > button .spinner').count()).toBe(1);
    expect(await row.textContent()).not.toContain('anthropic');
    // No polling: nothing but the socket carried the run, and nothing is requested while idle.
    await sleep(2500);
    expect(apiRequestsSince(member.requests, since)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    const step = await write.addStep(token(), chatId, run.id, request('Why is the build red?'));
    await write.patchStep(token(), chatId, run.id, step.id, finishedStep(150, 42));
    await row.getByRole('button').first().click();
    const stepButton = row.getByRole('button', { name: /^Step 1/ });
    await stepButton.waitFor();
    expect(await stepButton.textContent()).toContain('150→42 tok');
    await stepButton.click();
    await row.getByRole('button', { name: 'Usage (3)' }).click();
    expect(await row.locator('.dbg-dl').textContent()).toBe('input_tokens150output_tokens42total_tokens192');

    // Finishing flips the badge of the same element.
    const badge = await row.locator(':scope > button .dbg-status').elementHandle();
    await write.patchRun(token(), chatId, run.id, { status: 'completed' });
    await page.waitForFunction((el) => el?.textContent === 'completed', badge, { timeout: 2000 });
    expect(await badge!.evaluate((el) => el.isConnected)).toBe(true);
    expect(await row.locator(':scope > button .spinner').count()).toBe(0);
    await expect.poll(() => row.locator('.dbg-run-meta').textContent()).toContain('150→42 tok');
    expect(await row.locator('.dbg-run-meta').textContent()).toContain('1 step');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await member.context.close();
  });

  test('40. ResumeAfterDisconnect: the paused line shows while the socket is down, then every event written meanwhile appears once', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, token(), { title: 'Resume' });
    // Every socket of the page goes through this route, so the test can drop it and refuse reconnections.
    const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    const fromServer: string[] = [];
    const toServer: string[] = [];
    let refuse = false;
    const member = await signIn(browser, server.url, users.member.email, {
      before: (context) =>
        context.routeWebSocket(/\/graphql$/, (ws) => {
          if (refuse) {
            void ws.close({ code: 1012, reason: 'refused by the test' });
            return;
          }
          const upstream = ws.connectToServer();
          sockets.push({ page: ws, server: upstream });
          ws.onMessage((m) => {
            toServer.push(String(m));
            upstream.send(m);
          });
          upstream.onMessage((m) => {
            fromServer.push(String(m));
            ws.send(m);
          });
        }),
    });
    const { page } = member;
    await openDebugTab(page, chatId);
    const run = await write.startRun(token(), chatId, { kind: 'chat_turn', model: 'claude-sonnet-4', first_message: 'Survive a dropped socket' });
    const row = rowFor(page, 'Survive a dropped socket');
    await row.waitFor();
    await row.getByRole('button').first().click();
    await row.getByText('No steps recorded.').waitFor();
    const lastCursorBefore = received(fromServer).at(-1)!.cursor;

    refuse = true;
    for (const s of sockets.splice(0)) {
      await s.page.close({ code: 1012, reason: 'dropped by the test' });
      await s.server.close().catch(() => undefined);
    }
    const paused = page.getByRole('status').filter({ hasText: 'Live updates paused. Reconnecting…' });
    await paused.waitFor();
    // Cached data stays on screen.
    expect(await row.locator(':scope > button .dbg-status').textContent()).toBe('in_progress');

    for (const n of [1, 2]) {
      const s = await write.addStep(token(), chatId, run.id, request(`step ${n}`));
      await write.patchStep(token(), chatId, run.id, s.id, finishedStep(100 * n, n));
    }
    await write.patchRun(token(), chatId, run.id, { status: 'completed' });
    await sleep(300);
    expect(await paused.count()).toBe(1);
    expect(await row.locator(':scope > button .dbg-status').textContent()).toBe('in_progress');

    refuse = false;
    await paused.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => row.locator(':scope > button .dbg-status').textContent(), { timeout: 5000 }).toBe('completed');
    await expect.poll(() => row.getByRole('button', { name: /^Step \d/ }).count(), { timeout: 5000 }).toBe(2);
    expect(await row.locator('.dbg-step-title').allTextContents()).toEqual(['Step 1', 'Step 2']);
    expect(await row.locator('.dbg-run-meta').textContent()).toContain('2 steps');

    // The subscription was sent again with the cursor of the last event applied before the drop…
    const subscribes = toServer.map((m) => JSON.parse(m)).filter((m) => m.type === 'subscribe');
    expect(subscribes.at(-1).payload.variables).toEqual({ chatId, after: lastCursorBefore });
    // …and every stored event of the chat reached the page exactly once, in order.
    const events = received(fromServer);
    expect(events.map((e) => e.cursor)).toEqual((await storedEvents(server.db.prisma, chatId)).map((e) => e.cursor));
    await member.context.close();
  });
});

describe('signed out', () => {
  test('a session revoked elsewhere (4403): the Debug tab says so with a "Sign in" link, keeps its runs and stops reconnecting', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, token(), { title: 'Signed out' });
    await write.startRun(token(), chatId, { kind: 'chat_turn', first_message: 'Before signing out' });
    const member = await signIn(browser, server.url, users.member.email);
    const { page } = member;
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await openDebugTab(page, chatId);
    await rowFor(page, 'Before signing out').waitFor();
    const session = (await member.context.cookies()).find((c) => c.name === 'coder_session_token')!.value;
    expect((await server.api.post('/api/v2/users/logout', { token: session })).status).toBe(200);
    const status = page.getByRole('status').filter({ hasText: 'You are signed out. Sign in to see new debug runs.' });
    await status.waitFor();
    const link = status.getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`/login?redirect=${encodeURIComponent(`/agents/${chatId}`)}`);
    const opened = sockets.length;
    await sleep(4000);
    expect(sockets.length).toBe(opened);
    expect(await rowFor(page, 'Before signing out').count()).toBe(1);
    await link.click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await member.context.close();
  });
});

/** The chatDebugEvents payloads among the socket's messages, in arrival order. */
function received(messages: string[]): { cursor: string; kind: string }[] {
  return messages
    .map((m) => JSON.parse(m))
    .filter((m) => m.type === 'next' && m.payload?.data?.chatDebugEvents)
    .map((m) => m.payload.data.chatDebugEvents);
}

describe('export', () => {
  test('42. ExportMatchesREST: both exports download JSON whose runs deep-equal the REST detail bodies', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, token(), { title: 'Exports' });
    const first = await recordRun(chatId, 'First exported run');
    const second = await recordRun(chatId, 'Second exported run');
    const running = await write.startRun(token(), chatId, { kind: 'title_generation', model: 'claude-haiku-4', first_message: 'Still running' });
    const member = await signIn(browser, server.url, users.member.email);
    const { page } = member;
    await openDebugTab(page, chatId);
    await expect.poll(() => runRows(page).count()).toBe(3);
    // One finished run is expanded, so its loaded detail is reused.
    const secondRow = rowFor(page, 'Second exported run');
    await secondRow.getByRole('button').first().click();
    await secondRow.getByRole('button', { name: 'Export this run' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export debug logs' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^coder-agents-debug-chat-${chatId.slice(0, 8)}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z\\.json$`));
    const text = await readFile((await download.path())!, 'utf8');
    const envelope = JSON.parse(text);
    expect(text).toBe(JSON.stringify(envelope, null, 2));
    expect(Object.keys(envelope)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_count', 'requested_run_count', 'limited_to_most_recent', 'runs']);
    expect(download.suggestedFilename()).toBe(`coder-agents-debug-chat-${chatId.slice(0, 8)}-${envelope.exported_at.replace(/[:.]/g, '-')}.json`);
    const list = await write.list(token(), chatId);
    expect(envelope).toMatchObject({ version: 1, scope: 'chat', chat_id: chatId, run_count: 3, requested_run_count: 3, limited_to_most_recent: 100 });
    expect(envelope.runs.map((r: { id: string }) => r.id)).toEqual(list.map((r: { id: string }) => r.id));
    expect(envelope.runs.map((r: { id: string }) => r.id)).toEqual([running.id, second, first]);
    for (const run of envelope.runs) expect(run).toStrictEqual(await write.detail(token(), chatId, run.id));
    // Stored bodies stay base64, redacted and truncated as REST returns them.
    const attempts = envelope.runs[1].steps[0].attempts;
    expect(attempts[0].request_headers['X-Api-Key']).toBe('[REDACTED]');
    expect(attempts[1].response_body).toBe('W1RSVU5DQVRFRF0=');

    const [single] = await Promise.all([page.waitForEvent('download'), secondRow.getByRole('button', { name: 'Export this run' }).click()]);
    expect(single.suggestedFilename()).toMatch(new RegExp(`^coder-agents-debug-run-${second.slice(0, 8)}-.+\\.json$`));
    const runEnvelope = JSON.parse(await readFile((await single.path())!, 'utf8'));
    expect(Object.keys(runEnvelope)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_id', 'run']);
    expect(runEnvelope).toMatchObject({ version: 1, scope: 'run', chat_id: chatId, run_id: second });
    expect(runEnvelope.run).toStrictEqual((await server.api.get(runPath(chatId, second), { token: token() })).body);
    await member.context.close();
  });
});

describe('43. KeyboardAndLabels (Debug tab)', () => {
  test('every control of the Debug tab is reachable with Tab and operable with Enter and Space; copy buttons show on keyboard focus and hover; axe finds no violations', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, token(), { title: 'Keyboard' });
    await recordRun(chatId, 'Keyboard walk-through of every control in the Debug tab, with a label long enough to truncate');
    const member = await signIn(browser, server.url, users.member.email, { width: 1400 });
    const { page, context } = member;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${server.url}/agents/${chatId}`);
    const tab = page.getByRole('tab', { name: 'Debug' });
    await tab.focus();
    await page.keyboard.press('Enter');
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    await runRows(page).first().waitFor();
    const panelId = (await tab.getAttribute('aria-controls'))!;
    const inPanel = () => page.evaluate((id) => document.getElementById(id)!.contains(document.activeElement), panelId);

    // Walk the panel with Tab, opening every closed control on the way (Enter and Space alternately).
    const visited: string[] = [];
    let useSpace = false;
    let copyFocusedOpacity: string | undefined;
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      if (!(await inPanel())) {
        if (visited.length > 0) break;
        continue;
      }
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        if (!el.dataset.visit) el.dataset.visit = String(document.querySelectorAll('[data-visit]').length + 1);
        return {
          key: el.dataset.visit,
          name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '',
          expanded: el.getAttribute('aria-expanded'),
          pressed: el.getAttribute('aria-pressed'),
          copy: el.classList.contains('dbg-copy'),
        };
      });
      visited.push(info.key);
      expect(info.name, `control ${info.key} has no name`).not.toBe('');
      if (info.copy && copyFocusedOpacity === undefined) {
        // Shown on keyboard focus (:focus-visible), after a short fade.
        await expect.poll(() => page.evaluate(() => getComputedStyle(document.activeElement!).opacity)).toBe('1');
        copyFocusedOpacity = '1';
        await page.keyboard.press('Enter');
        await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement).dataset.copied)).toBe('true');
      }
      if (info.expanded === 'false' || info.pressed === 'false') {
        await page.keyboard.press(useSpace ? 'Space' : 'Enter');
        useSpace = !useSpace;
        // A run loads its detail when it opens: wait until it has.
        await page.waitForFunction((id) => !document.getElementById(id)!.textContent!.includes('Loading run details...'), panelId);
        const state = await page.evaluate(() => [document.activeElement!.getAttribute('aria-expanded'), document.activeElement!.getAttribute('aria-pressed')]);
        expect(state.includes('true'), `control ${info.name} opened`).toBe(true);
      }
    }
    expect(copyFocusedOpacity).toBe('1');
    // Every control now in the panel was reached, and nothing is left closed.
    const controls = await page.evaluate((id) => {
      const panel = document.getElementById(id)!;
      const all = Array.from(panel.querySelectorAll<HTMLElement>('button:not([disabled]), a[href], [tabindex="0"]'));
      return { total: all.length, unvisited: all.filter((el) => !el.dataset.visit).map((el) => el.outerHTML.slice(0, 120)), closed: panel.querySelectorAll('[aria-expanded="false"]').length };
    }, panelId);
    expect(controls.unvisited).toEqual([]);
    expect(new Set(visited).size).toBe(controls.total);
    expect(controls.closed).toBe(0);
    expect(await page.getByRole('button', { name: /^Attempt 2/ }).count()).toBeGreaterThan(0);

    // Hovering a block shows its copy button too.
    const block = page.locator('.dbg-code').first();
    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expect.poll(() => block.locator('.dbg-copy').evaluate((el) => getComputedStyle(el).opacity)).toBe('0');
    await block.hover();
    await expect.poll(() => block.locator('.dbg-copy').evaluate((el) => getComputedStyle(el).opacity)).toBe('1');

    // The export button works from the keyboard.
    await page.getByRole('button', { name: 'Export debug logs' }).focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^coder-agents-debug-chat-/);

    expect(await axeViolations(page, `#${panelId}`)).toEqual([]);
    // In a 560 px panel (a 592 px window stacks the panel under the chat) the row still fits on one
    // line: the label truncates, the metadata does not wrap.
    await page.setViewportSize({ width: 592, height: 900 });
    expect(await page.locator(`#${panelId}`).evaluate((el) => Math.round(el.getBoundingClientRect().width))).toBe(558);
    const row = runRows(page).first().getByRole('button').first();
    const layout = await row.evaluate((el) => {
      const label = el.querySelector('.dbg-run-label') as HTMLElement;
      const meta = el.querySelector('.dbg-run-meta') as HTMLElement;
      return { labelTruncated: label.scrollWidth > label.clientWidth, metaLines: Math.round(meta.getBoundingClientRect().height / parseFloat(getComputedStyle(meta).lineHeight || '16')), overflow: el.scrollWidth > el.clientWidth + 1 };
    });
    expect(layout).toEqual({ labelTruncated: true, metaLines: 1, overflow: false });
    expect(await axeViolations(page, `#${panelId}`)).toEqual([]);
    await member.context.close();
  });
});

