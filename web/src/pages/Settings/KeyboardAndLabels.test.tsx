// web-ui.md section 7, case 43 (Product/KeyboardAndLabels) for both settings pages, and section 6:
// switches toggle with Space, selects are keyboard-operable comboboxes, every control has a name.
import { cleanup, screen, waitFor, within } from '@solidjs/testing-library';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test } from 'vitest';
import { createMockClient } from '../../graphql/testing.ts';
import { advisor, desktop, experimentsHandlers, userDebug } from '../../testing/fixtures.ts';
import { axeViolations } from '../../testing/a11y.ts';
import { MEMBER, OWNER, renderApp } from '../../testing/render.tsx';

afterEach(() => cleanup());

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

function accessibleNameOf(element: Element): string {
  const labelledby = element.getAttribute('aria-labelledby');
  if (labelledby) return labelledby.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
  const label = element.getAttribute('aria-label');
  if (label) return label.trim();
  if (element instanceof HTMLInputElement && element.labels?.length) return element.labels[0].textContent?.trim() ?? '';
  return element.textContent?.trim() ?? '';
}

async function renderOwnerExperiments() {
  const mock = createMockClient(
    experimentsHandlers({
      DesktopSettings: { data: { desktopSettings: desktop(true, 'anthropic') } },
      AdvisorConfig: { data: { advisorConfig: advisor({ enabled: true }) } },
    }),
  );
  const view = renderApp('/agents/settings/experiments', { mock, user: OWNER });
  await screen.findByRole('switch', { name: 'Enable virtual desktop' });
  await screen.findByRole('switch', { name: 'Allow users to enable chat debug logging' });
  await waitFor(() => expect((screen.getByRole('combobox', { name: 'Advisor model' }) as HTMLButtonElement).disabled).toBe(false));
  return { mock, ...view };
}

describe('43. KeyboardAndLabels', () => {
  test('Experiments page: every control is reachable with Tab, in order, and has an accessible name', async () => {
    await renderOwnerExperiments();
    const user = userEvent.setup();
    const content = document.querySelector('.settings-content')!;
    const controls = Array.from(content.querySelectorAll<HTMLElement>(FOCUSABLE));
    for (const control of controls) expect(accessibleNameOf(control), control.outerHTML.slice(0, 120)).not.toBe('');
    // Tab from the top of the page visits every control of the content area, in document order.
    (document.querySelector('.settings-sidebar a, .settings-sidebar button') as HTMLElement).focus();
    const visited: HTMLElement[] = [];
    for (let i = 0; i < 40 && visited.length < controls.length; i++) {
      await user.tab();
      const active = document.activeElement as HTMLElement;
      if (content.contains(active)) visited.push(active);
    }
    expect(visited.map(accessibleNameOf)).toEqual(controls.map(accessibleNameOf));
    expect(visited.map(accessibleNameOf)).toEqual([
      'Enable virtual desktop',
      'portabledesktop module',
      'Computer use provider',
      'Enable advisor',
      'Max uses per run',
      'Max output tokens',
      'Reasoning effort',
      'Advisor model',
      'Allow users to enable chat debug logging',
    ]);
  });

  test('Experiments page: automated accessibility checks find no missing names or roles', async () => {
    await renderOwnerExperiments();
    expect(await axeViolations(document.querySelector('.app') ?? document.body)).toEqual([]);
  });

  test('switches toggle with Space (and Enter) and save on change', async () => {
    const { mock } = await renderOwnerExperiments();
    const user = userEvent.setup();
    const allow = screen.getByRole('switch', { name: 'Allow users to enable chat debug logging' });
    allow.focus();
    await user.keyboard(' ');
    await waitFor(() => expect(mock.variablesOf('SetDebugLoggingAllowUsers')).toEqual([{ allowUsers: true }]));
    await waitFor(() => expect(allow.getAttribute('aria-checked')).toBe('true'));
    const desktopSwitch = screen.getByRole('switch', { name: 'Enable virtual desktop' });
    desktopSwitch.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(mock.variablesOf('SetDesktopEnabled')).toEqual([{ enabled: false }]));
  });

  test('the advisor form is operable with the keyboard alone', async () => {
    const { mock } = await renderOwnerExperiments();
    const user = userEvent.setup();
    screen.getByRole('switch', { name: 'Enable advisor' }).focus();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByLabelText('Max uses per run'));
    await user.keyboard('{Control>}a{/Control}{Backspace}5');
    await user.tab();
    await user.keyboard('{Control>}a{/Control}{Backspace}2048');
    await user.tab();
    const effort = screen.getByRole('combobox', { name: 'Reasoning effort' });
    expect(document.activeElement).toBe(effort);
    await user.keyboard('{ArrowDown}');
    expect(effort.getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{End}{Enter}');
    expect(effort.getAttribute('aria-expanded')).toBe('false');
    expect(effort.textContent).toContain('High');
    await user.tab();
    const model = screen.getByRole('combobox', { name: 'Advisor model' });
    await user.keyboard(' ');
    expect(model.getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{ArrowDown} ');
    expect(model.getAttribute('aria-expanded')).toBe('false');
    expect(model.textContent).toContain('Claude Sonnet');
    // Save is the next Tab stop once the form is valid and changed; Enter submits.
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Save' }));
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([
        { input: { enabled: true, maxUsesPerRun: 5, maxOutputTokens: 2048, modelConfigId: 'aaaaaaaa-0000-4000-8000-000000000001', reasoningEffort: 'high' } },
      ]),
    );
    expect(await screen.findByText('Saved.')).toBeTruthy();
  });

  test('the provider combobox: arrows open and move, Enter chooses, Escape closes without choosing', async () => {
    const { mock } = await renderOwnerExperiments();
    const user = userEvent.setup();
    const select = screen.getByRole('combobox', { name: 'Computer use provider' });
    select.focus();
    expect(select.getAttribute('aria-haspopup')).toBe('listbox');
    await user.keyboard('{ArrowDown}');
    expect(select.getAttribute('aria-expanded')).toBe('true');
    const listbox = screen.getByRole('listbox', { name: 'Computer use provider' });
    expect(select.getAttribute('aria-controls')).toBe(listbox.id);
    const active = () => document.getElementById(select.getAttribute('aria-activedescendant') ?? '')?.textContent;
    expect(active()).toBe('Anthropic');
    expect(within(listbox).getByRole('option', { name: 'Anthropic' }).getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{ArrowDown}');
    expect(active()).toBe('OpenAI');
    await user.keyboard('{Escape}');
    expect(select.getAttribute('aria-expanded')).toBe('false');
    expect(mock.named('SetComputerUseProvider')).toEqual([]);
    expect(document.activeElement).toBe(select);
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await waitFor(() => expect(mock.variablesOf('SetComputerUseProvider')).toEqual([{ provider: 'openai' }]));
    await waitFor(() => expect(select.textContent).toContain('OpenAI'));
  });

  test('General page: the switch is reachable with Tab, toggles with Space, and axe finds nothing', async () => {
    const mock = createMockClient({
      MyDebugLogging: { data: { myDebugLogging: userDebug() } },
      SetMyDebugLogging: (op) => ({ data: { setMyDebugLogging: userDebug({ debugLoggingEnabled: Boolean(op.variables.enabled) }) } }),
    });
    renderApp('/agents/settings/general', { mock, user: MEMBER });
    const toggle = await screen.findByRole('switch', { name: 'Enable personal chat debug logging' });
    const user = userEvent.setup();
    screen.getByRole('link', { name: 'General' }).focus();
    await user.tab();
    expect(document.activeElement).toBe(toggle);
    await user.keyboard(' ');
    await waitFor(() => expect(mock.variablesOf('SetMyDebugLogging')).toEqual([{ enabled: true }]));
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('true'));
    expect(await axeViolations(document.querySelector('.app') ?? document.body)).toEqual([]);
  });

  test('settings sidebar: "Manage Agents" opens a sub-panel with "Experiments"; "Back to settings" returns', async () => {
    const mock = createMockClient({ MyDebugLogging: { data: { myDebugLogging: userDebug() } } });
    renderApp('/agents/settings/general', { mock, user: OWNER });
    const nav = screen.getByRole('navigation', { name: 'Settings' });
    expect(within(nav).getByRole('heading', { name: 'Settings' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'General' }).getAttribute('aria-current')).toBe('page');
    const user = userEvent.setup();
    await user.click(within(nav).getByRole('button', { name: 'Manage Agents' }));
    expect(within(nav).getByRole('heading', { name: 'Manage Agents' })).toBeTruthy();
    const back = within(nav).getByRole('button', { name: 'Back to settings' });
    await waitFor(() => expect(document.activeElement).toBe(back));
    expect(within(nav).getByRole('link', { name: 'Experiments' }).getAttribute('href')).toBe('/agents/settings/experiments');
    await user.keyboard('{Enter}');
    expect(within(nav).getByRole('heading', { name: 'Settings' })).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(within(nav).getByRole('button', { name: 'Manage Agents' })));
  });

  test('the permission dialog traps focus on its link', async () => {
    const mock = createMockClient(experimentsHandlers());
    renderApp('/agents/settings/experiments', { mock, user: MEMBER });
    const dialog = await screen.findByRole('dialog');
    const link = within(dialog).getByRole('link', { name: 'Go to agents' });
    expect(document.activeElement).toBe(link);
    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement).toBe(link);
    expect(await axeViolations(dialog)).toEqual([]);
  });
});
