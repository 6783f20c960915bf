// Routes, sign-in and the chat pages (web-ui.md section 1, product.md section 7).
import { cleanup, fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { getEffectiveTabId, lastActiveTabKey } from './components/RightPanel.tsx';
import type { ChatDetail, ChatSummary } from './graphql/index.ts';
import { createMockClient } from './graphql/testing.ts';
import { loginHref, safeRedirect } from './session/session.tsx';
import { desktop, userDebug } from './testing/fixtures.ts';
import { MEMBER, OWNER, renderApp } from './testing/render.tsx';

const CHAT_ID = 'cccccccc-0000-4000-8000-000000000001';
const chat: ChatDetail = {
  id: CHAT_ID,
  title: 'Refactor the billing service',
  archived: false,
  createdAt: '2026-05-07T10:00:00.000Z',
  updatedAt: '2026-05-07T10:45:00.000Z',
  viewerIsOwner: true,
  parentChatId: null,
  owner: { id: OWNER.id, username: OWNER.username, name: OWNER.name },
  workspaceTemplateModules: ['portabledesktop'],
  desktopAvailability: desktop(true, 'anthropic', { available: true }).availability,
};
const shared: ChatSummary = { ...chat, id: 'cccccccc-0000-4000-8000-000000000002', title: '', viewerIsOwner: false, owner: { id: MEMBER.id, username: 'member', name: '' } };

type FetchReply = { status: number; body?: unknown };
function stubFetch(routes: Record<string, FetchReply | ((init?: RequestInit) => FetchReply)>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      const route = routes[`${init?.method ?? 'GET'} ${url}`];
      const reply = typeof route === 'function' ? route(init) : (route ?? { status: 404, body: { message: 'not mocked' } });
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}

beforeEach(() => {
  localStorage.clear();
  stubFetch({ 'GET /api/v2/users/first': { status: 200, body: { message: 'The initial user has already been created.' } } });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('routes', () => {
  test('a signed-out visitor goes to /login and returns to the page after signing in', async () => {
    const calls = stubFetch({
      'GET /api/v2/users/first': { status: 200, body: {} },
      'POST /api/v2/users/login': (init) =>
        JSON.parse(String(init?.body)).password === 'right-password' ? { status: 201, body: { session_token: 'x' } } : { status: 401, body: { message: 'Incorrect email or password.' } },
    });
    const mock = createMockClient({});
    const { path, restarts } = renderApp('/agents/settings/experiments', { mock, user: null });
    await waitFor(() => expect(path()).toBe('/login?redirect=%2Fagents%2Fsettings%2Fexperiments'));
    const email = screen.getByLabelText('Email') as HTMLInputElement;
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(email.type).toBe('email');
    expect(password.type).toBe('password');
    fireEvent.input(email, { target: { value: 'owner@example.com' } });
    fireEvent.input(password, { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Incorrect email or password.')).toBeTruthy();
    expect(restarts).toEqual([]);
    fireEvent.input(password, { target: { value: 'right-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(restarts).toEqual(['/agents/settings/experiments']));
    const login = calls.filter((c) => c.url === '/api/v2/users/login');
    expect(login.map((c) => JSON.parse(String(c.init?.body)))).toEqual([
      { email: 'owner@example.com', password: 'wrong' },
      { email: 'owner@example.com', password: 'right-password' },
    ]);
    expect(mock.operations).toEqual([]);
  });

  test('"/" sends a signed-out visitor to /login, and a signed-in one to /agents', async () => {
    const first = renderApp('/', { mock: createMockClient({}), user: null });
    await waitFor(() => expect(first.path()).toBe('/login'));
    cleanup();
    const second = renderApp('/', { mock: createMockClient({ Chats: { data: { chats: [] } } }), user: MEMBER });
    await waitFor(() => expect(second.path()).toBe('/agents'));
  });

  test('/login sends visitors to /setup while no user exists', async () => {
    stubFetch({ 'GET /api/v2/users/first': { status: 404, body: { message: 'The initial user has not been created!' } } });
    const { path } = renderApp('/login', { mock: createMockClient({}), user: null });
    await waitFor(() => expect(path()).toBe('/setup'));
    expect(await screen.findByRole('heading', { name: 'Create the first user' })).toBeTruthy();
  });

  test('/setup creates the first user, signs in and opens /agents; it is closed once a user exists', async () => {
    const calls = stubFetch({
      'GET /api/v2/users/first': { status: 404, body: {} },
      'POST /api/v2/users/first': { status: 201, body: { id: 'u' } },
      'POST /api/v2/users/login': { status: 201, body: { session_token: 'x' } },
    });
    const { restarts } = renderApp('/setup', { mock: createMockClient({}), user: null });
    fireEvent.input(await screen.findByLabelText('Email'), { target: { value: 'owner@example.com' } });
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'owner' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'correct-horse' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(restarts).toEqual(['/agents']));
    expect(JSON.parse(String(calls.find((c) => c.url === '/api/v2/users/first' && c.init?.method === 'POST')?.init?.body))).toEqual({
      email: 'owner@example.com',
      username: 'owner',
      password: 'correct-horse',
    });
    cleanup();
    stubFetch({ 'GET /api/v2/users/first': { status: 200, body: {} } });
    const closed = renderApp('/setup', { mock: createMockClient({}), user: null });
    await waitFor(() => expect(closed.path()).toBe('/login'));
  });

  test('/agents/settings redirects to /agents/settings/general', async () => {
    const { path } = renderApp('/agents/settings', { mock: createMockClient({ MyDebugLogging: { data: { myDebugLogging: userDebug() } } }), user: MEMBER });
    await waitFor(() => expect(path()).toBe('/agents/settings/general'));
    expect(await screen.findByRole('heading', { level: 2, name: 'General' })).toBeTruthy();
  });

  test('unknown pages show "Page not found" inside the app', async () => {
    renderApp('/nowhere', { mock: createMockClient({}), user: MEMBER });
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });

  test('helpers: the login link keeps the page; redirects stay on this origin', () => {
    expect(loginHref('/agents/x?y=1')).toBe('/login?redirect=%2Fagents%2Fx%3Fy%3D1');
    expect(loginHref('/')).toBe('/login');
    expect(safeRedirect('/agents/settings/general')).toBe('/agents/settings/general');
    expect(safeRedirect('//evil.example')).toBe('/agents');
    expect(safeRedirect('https://evil.example')).toBe('/agents');
    expect(safeRedirect(undefined)).toBe('/agents');
  });
});

describe('/agents', () => {
  test('lists own chats and chats shared with the viewer, each linking to its page', async () => {
    renderApp('/agents', { mock: createMockClient({ Chats: { data: { chats: [chat, shared] } } }), user: OWNER });
    const list = await screen.findByRole('list', { name: 'Chats' });
    const links = within(list).getAllByRole('link');
    expect(links.map((l) => l.getAttribute('href'))).toEqual([`/agents/${chat.id}`, `/agents/${shared.id}`]);
    expect(links[0].textContent).toContain('Refactor the billing service');
    expect(links[1].textContent).toContain('Untitled chat');
    expect(links[1].textContent).toContain('Shared by member');
  });

  test('an empty list says so; "New chat" creates a chat and opens it', async () => {
    const mock = createMockClient({ Chats: { data: { chats: [] } }, CreateChat: { data: { createChat: chat } }, Chat: { data: { chat } } });
    const { path } = renderApp('/agents', { mock, user: OWNER });
    expect(await screen.findByText('No chats yet')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'New chat' }));
    await waitFor(() => expect(path()).toBe(`/agents/${chat.id}`));
  });
});

describe('/agents/:chat', () => {
  test('"Chat not found" when chat(id) is null or the id is not a chat id', async () => {
    renderApp(`/agents/${CHAT_ID}`, { mock: createMockClient({ Chat: { data: { chat: null } } }), user: MEMBER });
    expect(await screen.findByRole('heading', { name: 'Chat not found' })).toBeTruthy();
    expect(screen.queryByRole('tablist')).toBeNull();
    cleanup();
    renderApp('/agents/not-a-uuid', { mock: createMockClient({ Chat: { errors: [{ message: 'Invalid UUID "not-a-uuid".', code: 'BAD_USER_INPUT' }] } }), user: MEMBER });
    expect(await screen.findByRole('heading', { name: 'Chat not found' })).toBeTruthy();
  });

  test('the right panel is a tablist: tab/tabpanel wiring, remembered per chat in localStorage', async () => {
    const mock = createMockClient({ Chat: { data: { chat } } });
    renderApp(`/agents/${CHAT_ID}`, { mock, user: OWNER });
    expect(await screen.findByRole('heading', { level: 1, name: 'Refactor the billing service' })).toBeTruthy();
    expect(mock.variablesOf('Chat')).toEqual([{ id: CHAT_ID }]);
    const tablist = screen.getByRole('tablist');
    const tab = within(tablist).getByRole('tab', { name: 'Desktop' });
    expect(tab.tagName).toBe('BUTTON');
    expect(tab.getAttribute('aria-selected')).toBe('true');
    const panel = document.getElementById(tab.getAttribute('aria-controls')!)!;
    expect(panel.getAttribute('role')).toBe('tabpanel');
    expect(panel.getAttribute('aria-labelledby')).toBe(tab.id);
    expect(panel.hidden).toBe(false);
    expect(within(panel).getByText('Available to agents.').closest('[role="status"]')).toBeTruthy();
    fireEvent.click(tab);
    expect(localStorage.getItem(lastActiveTabKey(CHAT_ID))).toBe('desktop');
    expect(lastActiveTabKey(CHAT_ID)).toBe(`agents.last-active-tab.${CHAT_ID}`);
  });

  test('getEffectiveTabId: the stored tab when present, else the first tab', () => {
    expect(getEffectiveTabId(['git', 'debug'], 'debug')).toBe('debug');
    expect(getEffectiveTabId(['git', 'debug'], 'terminal')).toBe('git');
    expect(getEffectiveTabId(['debug'], null)).toBe('debug');
    expect(getEffectiveTabId([], 'debug')).toBeUndefined();
  });
});
