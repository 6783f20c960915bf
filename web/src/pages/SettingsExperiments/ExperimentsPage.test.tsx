// web-ui.md section 7, cases 1-9: the Experiments page (AgentSettingsExperimentsPageView stories).
import { cleanup, fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test } from 'vitest';
import { createMockClient } from '../../graphql/testing.ts';
import { adminDebug, desktop, experimentsHandlers } from '../../testing/fixtures.ts';
import { AUDITOR, MEMBER, OWNER, renderApp } from '../../testing/render.tsx';

const PATH = '/agents/settings/experiments';

afterEach(() => cleanup());

function renderExperiments(overrides: Parameters<typeof experimentsHandlers>[0] = {}) {
  const mock = createMockClient(experimentsHandlers(overrides));
  const view = renderApp(PATH, { mock, user: OWNER });
  return { mock, ...view };
}

const desktopSwitch = () => screen.findByRole('switch', { name: 'Enable virtual desktop' });
const providerSelect = () => screen.getByRole('combobox', { name: 'Computer use provider' });

describe('Experiments page', () => {
  test('shows the page heading and description', async () => {
    renderExperiments();
    expect(await screen.findByRole('heading', { level: 2, name: 'Experiments' })).toBeTruthy();
    expect(screen.getByText('Opt in to experimental features.')).toBeTruthy();
  });

  test('1. AllowUsersOff: heading and an unchecked "Allow users to enable chat debug logging" switch', async () => {
    renderExperiments({ DebugLoggingAdminSettings: { data: { debugLoggingAdminSettings: adminDebug(false) } } });
    expect(screen.getByRole('heading', { level: 3, name: 'Let users record chat debug logs' })).toBeTruthy();
    const toggle = await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect((toggle as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByText(/Lets users turn on debug logging for their own chats from their General settings\./)).toBeTruthy();
  });

  test('1. AllowUsersOn: the admin switch is checked', async () => {
    renderExperiments({ DebugLoggingAdminSettings: { data: { debugLoggingAdminSettings: adminDebug(true) } } });
    const toggle = await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
  });

  test('1. AllowUsers: toggling saves {allow_users} and shows the value the server returns', async () => {
    const { mock } = renderExperiments();
    const toggle = await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' });
    fireEvent.click(toggle);
    await waitFor(() => expect(mock.variablesOf('SetDebugLoggingAllowUsers')).toEqual([{ allowUsers: true }]));
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
  });

  test('2. ForcedByDeployment: the admin switch is checked and disabled, with the override text', async () => {
    renderExperiments({ DebugLoggingAdminSettings: { data: { debugLoggingAdminSettings: adminDebug(true, true) } } });
    const toggle = await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    expect((toggle as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Debug logging is already enabled deployment-wide, so this per-user setting has no effect right now.')).toBeTruthy();
  });

  test('2. admin debug logging: save and load errors', async () => {
    renderExperiments({ SetDebugLoggingAllowUsers: { errors: [{ message: 'boom', code: 'INTERNAL_SERVER_ERROR' }] } });
    fireEvent.click(await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' }));
    expect(await screen.findByText('Failed to save the admin debug logging setting.')).toBeTruthy();
    cleanup();
    renderExperiments({ DebugLoggingAdminSettings: { networkError: 'down' } });
    expect(await screen.findByText('Failed to load the admin debug logging setting.')).toBeTruthy();
    expect(screen.queryByRole('switch', { name: 'Allow users to enable chat debug logging' })).toBeNull();
  });

  test('3. DesktopSetting: "Virtual desktop" heading, badge, description with the module link, switch', async () => {
    renderExperiments();
    const heading = screen.getByRole('heading', { level: 3, name: 'Virtual desktop' });
    expect(heading).toBeTruthy();
    expect(screen.getAllByText('Experimental feature').length).toBe(2);
    expect(await desktopSwitch()).toBeTruthy();
    const help = screen.getByText(/Allow agents to use a virtual, graphical desktop within workspaces\./);
    expect(help.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Allow agents to use a virtual, graphical desktop within workspaces. Requires the portabledesktop module to be installed in the workspace and the selected computer use provider to be configured.',
    );
    const link = screen.getByRole('link', { name: 'portabledesktop module' });
    expect(link.getAttribute('href')).toBe('https://registry.coder.com/modules/coder/portabledesktop');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByRole('heading', { level: 4, name: 'Computer use provider' })).toBeTruthy();
    expect(screen.getByText('Select the provider agents use for computer-use actions when virtual desktop is enabled.')).toBeTruthy();
    const select = providerSelect();
    expect(select.getAttribute('aria-labelledby')).toBe(screen.getByRole('heading', { level: 4, name: 'Computer use provider' }).id);
    expect(document.getElementById(select.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'Select the provider agents use for computer-use actions when virtual desktop is enabled.',
    );
  });

  test('3. availability line: "Unavailable: <reason>" and "Available to agents." with role="status"', async () => {
    renderExperiments();
    await desktopSwitch();
    const status = await screen.findByText('Unavailable: type "computer_use" is unavailable because desktop access is not enabled');
    expect(status.closest('[role="status"]')).toBeTruthy();
    cleanup();
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic', { available: true }) } } });
    const available = await screen.findByText('Available to agents.');
    expect(available.closest('[role="status"]')).toBeTruthy();
  });

  test('3. model line: "Model: claude-opus-4-6" with the fixed-model note', async () => {
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true) } } });
    await desktopSwitch();
    expect(screen.getByText('Model:').textContent?.replace(/\s+/g, ' ')).toBe('Model: claude-opus-4-6');
    expect(screen.getByText('The computer-use model is fixed for each provider.')).toBeTruthy();
  });

  test('4. VirtualDesktopLoading: a skeleton replaces the switch and the provider combobox is disabled', async () => {
    const { container } = renderExperiments({ DesktopSettings: 'pending' });
    await screen.findByRole('heading', { level: 3, name: 'Virtual desktop' });
    expect(screen.queryByRole('switch', { name: 'Enable virtual desktop' })).toBeNull();
    const section = screen.getByRole('region', { name: 'Virtual desktop' });
    const skeletons = section.querySelectorAll('[data-testid="skeleton"]');
    expect(skeletons.length).toBeGreaterThanOrEqual(2);
    skeletons.forEach((s) => expect(s.getAttribute('aria-hidden')).toBe('true'));
    expect((providerSelect() as HTMLButtonElement).disabled).toBe(true);
    expect(container).toBeTruthy();
  });

  test('4. a failed load shows "Failed to load virtual desktop settings."', async () => {
    renderExperiments({ DesktopSettings: { networkError: 'down' } });
    expect(await screen.findByText('Failed to load virtual desktop settings.')).toBeTruthy();
    // One failing section does not hide the others.
    expect(await screen.findByRole('switch', { name: 'Enable advisor' })).toBeTruthy();
    expect(await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' })).toBeTruthy();
  });

  test('5. TogglesDesktop: clicking the switch sends {enable_desktop:true}', async () => {
    const { mock } = renderExperiments();
    const toggle = await desktopSwitch();
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(toggle);
    await waitFor(() => expect(mock.variablesOf('SetDesktopEnabled')).toEqual([{ enabled: true }]));
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(await screen.findByText('Unavailable: no API key is configured for the computer use provider "anthropic"')).toBeTruthy();
  });

  test('5. no optimistic update: the switch keeps its value and is disabled while saving; failure shows the error', async () => {
    const { mock } = renderExperiments({ SetDesktopEnabled: 'pending' });
    const toggle = await desktopSwitch();
    fireEvent.click(toggle);
    await waitFor(() => expect(mock.named('SetDesktopEnabled').length).toBe(1));
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect((toggle as HTMLButtonElement).disabled).toBe(true);
    expect((providerSelect() as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    renderExperiments({ SetDesktopEnabled: { networkError: 'down' } });
    const again = await desktopSwitch();
    fireEvent.click(again);
    expect(await screen.findByText('Failed to save desktop setting.')).toBeTruthy();
    expect(again.getAttribute('aria-checked')).toBe('false');
  });

  test('6. ComputerUseProviderAnthropic: desktop on, the select is enabled and shows "Anthropic"', async () => {
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic') } } });
    await desktopSwitch();
    const select = providerSelect() as HTMLButtonElement;
    expect(select.disabled).toBe(false);
    expect(select.textContent).toContain('Anthropic');
  });

  test('6. ComputerUseProviderDisabledWhenDesktopDisabled: desktop off, the select is disabled', async () => {
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(false, 'anthropic') } } });
    await desktopSwitch();
    expect((providerSelect() as HTMLButtonElement).disabled).toBe(true);
  });

  test('6. an unknown stored provider is shown as the raw string; an empty one as the placeholder', async () => {
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, 'gemini') } } });
    await desktopSwitch();
    expect(providerSelect().textContent).toContain('gemini');
    cleanup();
    renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, '') } } });
    await desktopSwitch();
    expect(providerSelect().textContent).toContain('Select provider');
  });

  test('7. SelectsOpenAIProvider: choosing sends {provider:"openai"} and the trigger shows the confirmed value', async () => {
    const { mock } = renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic') } } });
    await desktopSwitch();
    fireEvent.click(providerSelect());
    const listbox = await screen.findByRole('listbox', { name: 'Computer use provider' });
    expect(within(listbox).getAllByRole('option').map((o) => o.textContent)).toEqual(['Anthropic', 'OpenAI']);
    fireEvent.click(within(listbox).getByRole('option', { name: 'OpenAI' }));
    await waitFor(() => expect(mock.variablesOf('SetComputerUseProvider')).toEqual([{ provider: 'openai' }]));
    await waitFor(() => expect(providerSelect().textContent).toContain('OpenAI'));
    expect(screen.getByText('Model:').textContent?.replace(/\s+/g, ' ')).toBe('Model: gpt-5.5');
  });

  test('7. SelectsAnthropicProvider: choosing sends {provider:"anthropic"}; the trigger shows what the server confirms', async () => {
    const { mock } = renderExperiments({
      DesktopSettings: { data: { desktopSettings: desktop(true, 'openai') } },
      // The server confirms a different value than the one chosen: the UI shows the server's.
      SetComputerUseProvider: () => ({ data: { setComputerUseProvider: desktop(true, 'anthropic') } }),
    });
    await desktopSwitch();
    expect(providerSelect().textContent).toContain('OpenAI');
    fireEvent.click(providerSelect());
    fireEvent.click(await screen.findByRole('option', { name: 'Anthropic' }));
    await waitFor(() => expect(mock.variablesOf('SetComputerUseProvider')).toEqual([{ provider: 'anthropic' }]));
    await waitFor(() => expect(providerSelect().textContent).toContain('Anthropic'));
  });

  test('8. ComputerUseProviderSaveError: "Failed to save computer use provider." and the old value stays', async () => {
    renderExperiments({
      DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic') } },
      SetComputerUseProvider: { errors: [{ message: 'Invalid computer use provider.', code: 'BAD_USER_INPUT' }] },
    });
    await desktopSwitch();
    fireEvent.click(providerSelect());
    fireEvent.click(await screen.findByRole('option', { name: 'OpenAI' }));
    expect(await screen.findByText('Failed to save computer use provider.')).toBeTruthy();
    expect(providerSelect().textContent).toContain('Anthropic');
  });

  test('8. ComputerUseProviderSaving: the select is disabled while saving', async () => {
    const { mock } = renderExperiments({ DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic') } }, SetComputerUseProvider: 'pending' });
    await desktopSwitch();
    fireEvent.click(providerSelect());
    fireEvent.click(await screen.findByRole('option', { name: 'OpenAI' }));
    await waitFor(() => expect(mock.named('SetComputerUseProvider').length).toBe(1));
    expect((providerSelect() as HTMLButtonElement).disabled).toBe(true);
    expect(providerSelect().textContent).toContain('Anthropic');
  });

  test('experimentsChanged refreshes availability live (after its first event)', async () => {
    const { createReplySubject } = await import('../../graphql/testing.ts');
    const events = createReplySubject();
    let call = 0;
    const { mock } = renderExperiments({
      ExperimentsChanged: { source: events.source },
      DesktopSettings: () => (call++ === 0 ? { data: { desktopSettings: desktop(true) } } : { data: { desktopSettings: desktop(true, 'anthropic', { available: true }) } }),
    });
    await desktopSwitch();
    expect(await screen.findByText(/^Unavailable: no API key/)).toBeTruthy();
    const experiment = { id: 'VIRTUAL_DESKTOP', enabled: true, available: false, state: 'UNAVAILABLE', reason: 'x' };
    events.next({ data: { experimentsChanged: [experiment] } });
    await new Promise((r) => setTimeout(r, 20));
    expect(mock.named('DesktopSettings').length).toBe(1);
    events.next({ data: { experimentsChanged: [{ ...experiment, available: true, state: 'ON', reason: null }] } });
    expect(await screen.findByText('Available to agents.')).toBeTruthy();
    expect(mock.named('DesktopSettings').length).toBe(2);
  });

  for (const [role, user] of [
    ['member', MEMBER],
    ['auditor', AUDITOR],
  ] as const) {
    test(`9. PermissionDialog: a ${role} gets the dialog and no settings request is made`, async () => {
      const mock = createMockClient(experimentsHandlers());
      const { path } = renderApp(PATH, { mock, user });
      const dialog = await screen.findByRole('dialog', { name: "You don't have permission to view this page" });
      expect(dialog.getAttribute('aria-modal')).toBe('true');
      expect(within(dialog).getByText('If you believe this is a mistake, please contact your administrator or try signing in with different credentials.')).toBeTruthy();
      const link = within(dialog).getByRole('link', { name: 'Go to agents' });
      expect(link.getAttribute('href')).toBe('/agents');
      expect(document.activeElement).toBe(link);
      await new Promise((r) => setTimeout(r, 20));
      expect(mock.operations.map((o) => o.kind)).toEqual([]);
      expect(screen.queryByRole('switch')).toBeNull();
      // The sidebar offers no "Manage Agents" to non-owners.
      expect(screen.queryByRole('button', { name: /Manage Agents/ })).toBeNull();
      const agents = userEvent.setup();
      await agents.click(link);
      await waitFor(() => expect(path()).toBe('/agents'));
    });
  }
});
