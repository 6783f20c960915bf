// web-ui.md section 7, cases 20-22: the General page (AgentSettingsGeneralPageView stories).
import { cleanup, fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { createMockClient, type MockHandler } from '../../graphql/testing.ts';
import { adminDebug, experimentsHandlers, userDebug } from '../../testing/fixtures.ts';
import { MEMBER, OWNER, renderApp } from '../../testing/render.tsx';

afterEach(() => cleanup());

function renderGeneral(handlers: Record<string, MockHandler>, user = MEMBER) {
  const mock = createMockClient({
    MyDebugLogging: { data: { myDebugLogging: userDebug() } },
    SetMyDebugLogging: (op) => ({ data: { setMyDebugLogging: userDebug({ debugLoggingEnabled: Boolean(op.variables.enabled) }) } }),
    ...handlers,
  });
  return { mock, ...renderApp('/agents/settings/general', { mock, user }) };
}

const personalSwitch = () => screen.findByRole('switch', { name: 'Enable personal chat debug logging' }) as Promise<HTMLButtonElement>;
const describedText = (element: Element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent;

describe('General page', () => {
  test('heading, description and the section heading', async () => {
    renderGeneral({});
    expect(screen.getByRole('heading', { level: 2, name: 'General' })).toBeTruthy();
    expect(screen.getByText('Personal preferences for your chat experience.')).toBeTruthy();
    await personalSwitch();
    expect(screen.getByRole('heading', { level: 3, name: 'Record debug logs for my chats' })).toBeTruthy();
  });

  test('20. ShowsChatDebugLoggingToggle: enabled switch; a click sends {debug_logging_enabled:true} and shows the saved value', async () => {
    const { mock } = renderGeneral({ MyDebugLogging: { data: { myDebugLogging: userDebug({ userToggleAllowed: true, debugLoggingEnabled: false }) } } });
    const toggle = await personalSwitch();
    expect(toggle.disabled).toBe(false);
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(describedText(toggle)).toBe(
      'Save a detailed trace of your chats: each turn plus the raw API requests and responses sent to the model provider. Useful for troubleshooting unexpected model behavior.',
    );
    fireEvent.click(toggle);
    await waitFor(() => expect(mock.variablesOf('SetMyDebugLogging')).toEqual([{ enabled: true }]));
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
  });

  test('20. the switch is disabled while saving and keeps the server value (no optimistic update)', async () => {
    const { mock } = renderGeneral({ SetMyDebugLogging: 'pending' });
    const toggle = await personalSwitch();
    fireEvent.click(toggle);
    await waitFor(() => expect(mock.named('SetMyDebugLogging').length).toBe(1));
    expect(toggle.disabled).toBe(true);
    expect(toggle.getAttribute('aria-checked')).toBe('false');
  });

  test('20. loading shows a round skeleton; load and save errors show their messages', async () => {
    renderGeneral({ MyDebugLogging: 'pending' });
    await screen.findByRole('heading', { level: 3, name: 'Record debug logs for my chats' });
    expect(screen.queryByRole('switch')).toBeNull();
    const skeleton = document.querySelector('.skeleton-round');
    expect(skeleton?.getAttribute('aria-hidden')).toBe('true');
    cleanup();
    renderGeneral({ MyDebugLogging: { networkError: 'down' } });
    expect(await screen.findByText('Failed to load your chat debug logging preference.')).toBeTruthy();
    cleanup();
    renderGeneral({ SetMyDebugLogging: { errors: [{ message: 'Forbidden.', code: 'FORBIDDEN' }] } });
    fireEvent.click(await personalSwitch());
    expect(await screen.findByText('Failed to save your chat debug logging preference.')).toBeTruthy();
  });

  test('21. ToggleDisabledWhenGateOff: unchecked, disabled, with the gate-off text', async () => {
    renderGeneral({ MyDebugLogging: { data: { myDebugLogging: userDebug({ userToggleAllowed: false, debugLoggingEnabled: true }) } } });
    const toggle = await personalSwitch();
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(toggle.disabled).toBe(true);
    expect(describedText(toggle)).toBe('An administrator has not enabled user-controlled chat debug logging.');
  });

  test('22. ReadOnlyUnderOverride: the personal switch is checked, disabled and locked on', async () => {
    renderGeneral({ MyDebugLogging: { data: { myDebugLogging: userDebug({ forcedByDeployment: true, userToggleAllowed: false, debugLoggingEnabled: true }) } } });
    const toggle = await personalSwitch();
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    expect(toggle.disabled).toBe(true);
    expect(describedText(toggle)).toBe('An administrator has enabled debug logging for every chat in this deployment, so this toggle is locked on.');
  });

  test('22. ReadOnlyUnderOverride: the admin switch is disabled with its forced text (it still shows the stored value)', async () => {
    for (const allowUsers of [true, false]) {
      const mock = createMockClient(experimentsHandlers({ DebugLoggingAdminSettings: { data: { debugLoggingAdminSettings: adminDebug(allowUsers, true) } } }));
      renderApp('/agents/settings/experiments', { mock, user: OWNER });
      const toggle = (await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' })) as HTMLButtonElement;
      expect(toggle.disabled).toBe(true);
      expect(toggle.getAttribute('aria-checked')).toBe(String(allowUsers));
      expect(describedText(toggle)).toBe('Debug logging is already enabled deployment-wide, so this per-user setting has no effect right now.');
      cleanup();
    }
  });
});
