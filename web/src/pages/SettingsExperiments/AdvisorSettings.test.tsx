// web-ui.md section 7, cases 10-19: the Advisor form (AdvisorSettings stories).
import { cleanup, fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import type { AdvisorConfig } from '../../graphql/index.ts';
import { createMockClient, type MockHandler } from '../../graphql/testing.ts';
import { MODEL_CONFIGS, MODEL_DELETED, MODEL_DISABLED, MODEL_GPT, MODEL_SONNET, NIL, advisor, experimentsHandlers } from '../../testing/fixtures.ts';
import { OWNER, renderApp } from '../../testing/render.tsx';

afterEach(() => cleanup());

function renderAdvisor(config: AdvisorConfig | MockHandler, overrides: Record<string, MockHandler> = {}) {
  const handler: MockHandler = typeof config === 'object' && 'enabled' in config ? { data: { advisorConfig: config } } : (config as MockHandler);
  const mock = createMockClient(experimentsHandlers({ AdvisorConfig: handler, ...overrides }));
  const view = renderApp('/agents/settings/experiments', { mock, user: OWNER });
  return { mock, ...view };
}

const advisorSwitch = () => screen.getByRole('switch', { name: 'Enable advisor' }) as HTMLButtonElement;
const saveButton = () => screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
const maxUses = () => screen.getByLabelText('Max uses per run') as HTMLInputElement;
const maxTokens = () => screen.getByLabelText('Max output tokens') as HTMLInputElement;
const effortSelect = () => screen.getByRole('combobox', { name: 'Reasoning effort' }) as HTMLButtonElement;
const modelSelect = () => screen.getByRole('combobox', { name: 'Advisor model' }) as HTMLButtonElement;
const helperOf = (element: Element) =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent)
    .join(' | ');

/** Waits until the advisor configuration has loaded (the switch is enabled). */
async function loaded() {
  await waitFor(() => expect(advisorSwitch().disabled).toBe(false));
}

async function choose(select: HTMLElement, option: string) {
  fireEvent.click(select);
  const listbox = await screen.findByRole('listbox', { name: select.getAttribute('aria-labelledby') ? document.getElementById(select.getAttribute('aria-labelledby')!)!.textContent! : undefined });
  fireEvent.click(within(listbox).getByRole('option', { name: option }));
}

async function optionsOf(select: HTMLElement) {
  fireEvent.click(select);
  const listbox = document.getElementById(select.getAttribute('aria-controls')!)!;
  await waitFor(() => expect(listbox.hidden).toBe(false));
  const labels = within(listbox)
    .getAllByRole('option')
    .map((o) => o.textContent);
  fireEvent.keyDown(select, { key: 'Escape' });
  return labels;
}

describe('Advisor', () => {
  test('heading, badge and the two description lines', async () => {
    renderAdvisor(advisor());
    expect(screen.getByRole('heading', { level: 3, name: 'Advisor' })).toBeTruthy();
    const section = screen.getByRole('region', { name: 'Advisor' });
    expect(within(section).getByText('Experimental feature')).toBeTruthy();
    expect(within(section).getByText('Allow root agent chats to call the advisor tool for strategic guidance.')).toBeTruthy();
    expect(within(section).getByText('When enabled, you can cap advisor usage per run and optionally use an override model.')).toBeTruthy();
  });

  test('10. Default: the fields are hidden while off; switching on reveals the four fields and sends nothing', async () => {
    const { mock } = renderAdvisor(advisor());
    await loaded();
    expect(advisorSwitch().getAttribute('aria-checked')).toBe('false');
    expect(screen.queryByLabelText('Max uses per run')).toBeNull();
    expect(screen.queryByLabelText('Max output tokens')).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Reasoning effort' })).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Advisor model' })).toBeNull();
    expect(saveButton().disabled).toBe(true);
    fireEvent.click(advisorSwitch());
    expect(advisorSwitch().getAttribute('aria-checked')).toBe('true');
    expect(maxUses()).toBeTruthy();
    expect(maxTokens()).toBeTruthy();
    expect(effortSelect()).toBeTruthy();
    expect(modelSelect()).toBeTruthy();
    expect(mock.named('UpdateAdvisorConfig')).toEqual([]);
    expect(saveButton().disabled).toBe(false);
    expect(saveButton().type).toBe('submit');
  });

  test('10. number inputs: min=0, step=1, inputmode numeric, labelled, with helper texts', async () => {
    renderAdvisor(advisor({ enabled: true }));
    await loaded();
    for (const [input, helper] of [
      [maxUses(), 'Set to 0 to leave the per-run call count unlimited.'],
      [maxTokens(), 'Set to 0 to use the server default output limit.'],
    ] as const) {
      expect(input.type).toBe('number');
      expect(input.getAttribute('min')).toBe('0');
      expect(input.getAttribute('step')).toBe('1');
      expect(input.getAttribute('inputmode')).toBe('numeric');
      expect(input.value).toBe('0');
      expect(helperOf(input)).toBe(helper);
    }
    expect(helperOf(effortSelect())).toBe("Controls how hard the advisor model reasons before responding. Leave unset to use the model's default.");
    expect(helperOf(modelSelect())).toBe('Choose a dedicated advisor model, or leave this unset to reuse the chat model.');
    expect(effortSelect().textContent).toContain('Use chat model default');
    expect(await optionsOf(effortSelect())).toEqual(['Use chat model default', 'Low', 'Medium', 'High']);
  });

  test('11. Enabled: Save starts disabled; 5, 2048, High and a model are sent exactly; then Save is disabled and "Saved." shows', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true }));
    await loaded();
    expect(saveButton().disabled).toBe(true);
    fireEvent.input(maxUses(), { target: { value: '5' } });
    fireEvent.input(maxTokens(), { target: { value: '2048' } });
    await choose(effortSelect(), 'High');
    expect(await optionsOf(modelSelect())).toEqual(['Use chat model', 'Claude Sonnet', 'gpt-5']);
    await choose(modelSelect(), 'Claude Sonnet');
    expect(modelSelect().textContent).toContain('Claude Sonnet');
    expect(saveButton().disabled).toBe(false);
    fireEvent.click(saveButton());
    await waitFor(() =>
      expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([
        { input: { enabled: true, maxUsesPerRun: 5, maxOutputTokens: 2048, modelConfigId: MODEL_SONNET, reasoningEffort: 'high' } },
      ]),
    );
    const saved = await screen.findByText('Saved.');
    expect(saved.getAttribute('role')).toBe('status');
    expect(saveButton().disabled).toBe(true);
    expect(maxUses().value).toBe('5');
    // "Saved." stays until the next edit.
    fireEvent.input(maxUses(), { target: { value: '6' } });
    expect(screen.queryByText('Saved.')).toBeNull();
  });

  test('12. SaveWithUseChatModel: "Use chat model" sends the nil UUID', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: false }));
    await loaded();
    fireEvent.click(advisorSwitch());
    expect(modelSelect().textContent).toContain('Use chat model');
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: true, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: NIL, reasoningEffort: '' } }]));
    await screen.findByText('Saved.');
    expect(modelSelect().textContent).toContain('Use chat model');
  });

  test('12. DeselectModelBackToUseChatModel: switching from a model back to "Use chat model" sends the nil UUID', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_GPT }));
    await loaded();
    expect(modelSelect().textContent).toContain('gpt-5');
    await choose(modelSelect(), 'Use chat model');
    expect(modelSelect().textContent).toContain('Use chat model');
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: true, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: NIL, reasoningEffort: '' } }]));
  });

  test('12. NilUUIDInitialRoundTrip: a loaded nil UUID shows "Use chat model" and is sent back unchanged', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, modelConfigId: NIL, maxUsesPerRun: 2 }));
    await loaded();
    expect(modelSelect().textContent).toContain('Use chat model');
    expect(await optionsOf(modelSelect())).toEqual(['Use chat model', 'Claude Sonnet', 'gpt-5']);
    fireEvent.input(maxUses(), { target: { value: '3' } });
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: true, maxUsesPerRun: 3, maxOutputTokens: 0, modelConfigId: NIL, reasoningEffort: '' } }]));
  });

  test('13. CustomConfig: 7 / 8192 / "Medium" / the model label are displayed', async () => {
    renderAdvisor(advisor({ enabled: true, maxUsesPerRun: 7, maxOutputTokens: 8192, reasoningEffort: 'medium', modelConfigId: MODEL_SONNET }));
    await loaded();
    expect(maxUses().value).toBe('7');
    expect(maxTokens().value).toBe('8192');
    expect(effortSelect().textContent).toContain('Medium');
    expect(modelSelect().textContent).toContain('Claude Sonnet');
    expect(saveButton().disabled).toBe(true);
  });

  test('13. loaded values are normalised: negative integers show 0, unknown efforts "Use chat model default"', async () => {
    renderAdvisor(advisor({ enabled: true, maxUsesPerRun: -4, maxOutputTokens: -1, reasoningEffort: 'ultra' }));
    await loaded();
    expect(maxUses().value).toBe('0');
    expect(maxTokens().value).toBe('0');
    expect(effortSelect().textContent).toContain('Use chat model default');
  });

  test('13. UnavailableSelectedModel: a saved id outside the enabled configs shows "Unavailable model (<id>)"', async () => {
    renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_DISABLED }));
    await loaded();
    expect(modelSelect().textContent).toContain(`Unavailable model (${MODEL_DISABLED})`);
    expect(await optionsOf(modelSelect())).toEqual([`Unavailable model (${MODEL_DISABLED})`, 'Use chat model', 'Claude Sonnet', 'gpt-5']);
    // Selecting it changes nothing.
    await choose(modelSelect(), `Unavailable model (${MODEL_DISABLED})`);
    expect(saveButton().disabled).toBe(true);
  });

  test('14. Loading: no skeleton; the switch and Save are disabled and the fields hidden', async () => {
    renderAdvisor('pending');
    await screen.findByRole('heading', { level: 3, name: 'Advisor' });
    expect(advisorSwitch().disabled).toBe(true);
    expect(saveButton().disabled).toBe(true);
    expect(screen.queryByLabelText('Max uses per run')).toBeNull();
    expect(screen.getByRole('region', { name: 'Advisor' }).querySelector('[data-testid="skeleton"]')).toBeNull();
  });

  test('14. Refetching: Save stays disabled even with a change', async () => {
    renderAdvisor({ data: { advisorConfig: advisor({ enabled: true }) }, stale: true });
    await loaded();
    fireEvent.input(maxUses(), { target: { value: '4' } });
    expect(saveButton().disabled).toBe(true);
  });

  test('14. Saving: Save and the controls are disabled while the save is in flight', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true }), { UpdateAdvisorConfig: 'pending' });
    await loaded();
    fireEvent.input(maxUses(), { target: { value: '4' } });
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.named('UpdateAdvisorConfig').length).toBe(1));
    await waitFor(() => expect(saveButton().disabled).toBe(true));
    expect(advisorSwitch().disabled).toBe(true);
    expect(maxUses().disabled).toBe(true);
    expect(screen.queryByText('Saved.')).toBeNull();
  });

  test('15. LoadingModelConfigs: the model select is disabled, shows "Loading..." and the loading helper', async () => {
    renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_SONNET }), { ModelConfigs: 'pending' });
    await loaded();
    expect(modelSelect().disabled).toBe(true);
    expect(modelSelect().textContent).toContain('Loading...');
    expect(helperOf(modelSelect())).toBe('Loading chat model overrides.');
  });

  test('15. ModelConfigsError: disabled; "The current selection will be sent unchanged."', async () => {
    renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_SONNET }), { ModelConfigs: { errors: [{ message: 'nope', code: 'INTERNAL_SERVER_ERROR' }] } });
    await loaded();
    await waitFor(() => expect(helperOf(modelSelect())).toBe('Model overrides are unavailable. The current selection will be sent unchanged.'));
    expect(modelSelect().disabled).toBe(true);
  });

  test('15. ModelConfigsErrorWithUnsetSelection: "Saving will keep using the chat model."', async () => {
    renderAdvisor(advisor({ enabled: true, modelConfigId: NIL }), { ModelConfigs: { networkError: 'down' } });
    await loaded();
    await waitFor(() => expect(helperOf(modelSelect())).toBe('Model overrides are unavailable. Saving will keep using the chat model.'));
    expect(modelSelect().disabled).toBe(true);
    expect(modelSelect().textContent).toContain('Use chat model');
  });

  test('16. LoadError: "Failed to load advisor settings."', async () => {
    renderAdvisor({ networkError: 'down' });
    expect(await screen.findByText('Failed to load advisor settings.')).toBeTruthy();
  });

  test('16. SaveError: the generic message when the server gives none', async () => {
    renderAdvisor(advisor({ enabled: true }), { UpdateAdvisorConfig: { networkError: 'Network failure' } });
    await loaded();
    fireEvent.input(maxUses(), { target: { value: '4' } });
    fireEvent.click(saveButton());
    expect(await screen.findByText('Failed to save advisor settings.')).toBeTruthy();
    expect(screen.queryByText('Saved.')).toBeNull();
    // The edit is kept so the user can retry.
    expect(maxUses().value).toBe('4');
    expect(saveButton().disabled).toBe(false);
  });

  test("16. SaveErrorWithDetail: the server's message", async () => {
    const message = `model_config_id "${MODEL_DELETED}" does not match any existing model config.`;
    renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_DELETED }), { UpdateAdvisorConfig: { errors: [{ message, code: 'BAD_USER_INPUT' }] } });
    await loaded();
    fireEvent.input(maxUses(), { target: { value: '1' } });
    fireEvent.click(saveButton());
    expect(await screen.findByText(message)).toBeTruthy();
  });

  test('17. DisableAdvisorWithDeletedModel: disabling sends a confirmed-missing id as the nil UUID', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, maxUsesPerRun: 3, maxOutputTokens: 100, reasoningEffort: 'low', modelConfigId: MODEL_DELETED }));
    await loaded();
    fireEvent.click(advisorSwitch());
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: false, maxUsesPerRun: 3, maxOutputTokens: 100, modelConfigId: NIL, reasoningEffort: 'low' } }]));
  });

  test('17. DisableAdvisorWithDeletedModelAndEmptyModelConfigs: the nil UUID too', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_DELETED }), { ModelConfigs: { data: { modelConfigs: [] } } });
    await loaded();
    await waitFor(() => expect(modelSelect().disabled).toBe(false));
    fireEvent.click(advisorSwitch());
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: false, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: NIL, reasoningEffort: '' } }]));
  });

  test('17. a disabled (not deleted) config is not missing: its id is kept when disabling', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_DISABLED }));
    await loaded();
    await waitFor(() => expect(modelSelect().disabled).toBe(false));
    fireEvent.click(advisorSwitch());
    fireEvent.click(saveButton());
    await waitFor(() => expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: false, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: MODEL_DISABLED, reasoningEffort: '' } }]));
  });

  for (const [name, handler] of [
    ['Loading', 'pending'],
    ['Error', { networkError: 'down' }],
    ['Refetching', { data: { modelConfigs: MODEL_CONFIGS }, stale: true }],
  ] as [string, MockHandler][]) {
    test(`17. DisableAdvisorWhileModelConfigs${name}PreservesOverride: the id is sent unchanged`, async () => {
      const { mock } = renderAdvisor(advisor({ enabled: true, modelConfigId: MODEL_DELETED }), { ModelConfigs: handler });
      await loaded();
      await new Promise((r) => setTimeout(r, 10));
      fireEvent.click(advisorSwitch());
      fireEvent.click(saveButton());
      await waitFor(() =>
        expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: false, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: MODEL_DELETED, reasoningEffort: '' } }]),
      );
    });
  }

  test('18. ValidationBlocksSave: a blank field keeps Save disabled, sets aria-invalid and shows the message; "3" enables Save', async () => {
    renderAdvisor(advisor({ enabled: true }));
    await loaded();
    fireEvent.input(maxUses(), { target: { value: '' } });
    expect(maxUses().getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Max uses per run must be a non-negative integer.')).toBeTruthy();
    expect(helperOf(maxUses())).toContain('Max uses per run must be a non-negative integer.');
    expect(saveButton().disabled).toBe(true);
    fireEvent.input(maxUses(), { target: { value: '3' } });
    expect(maxUses().getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByText('Max uses per run must be a non-negative integer.')).toBeNull();
    expect(saveButton().disabled).toBe(false);
  });

  test('18. values above 9,007,199,254,740,991 are invalid; "Max output tokens" has its own message', async () => {
    renderAdvisor(advisor({ enabled: true }));
    await loaded();
    fireEvent.input(maxTokens(), { target: { value: '9007199254740992' } });
    expect(maxTokens().getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Max output tokens must be a non-negative integer.')).toBeTruthy();
    expect(saveButton().disabled).toBe(true);
    fireEvent.input(maxTokens(), { target: { value: '9007199254740991' } });
    expect(maxTokens().getAttribute('aria-invalid')).toBeNull();
  });

  test('19. DisableThenSave: an invalid hidden edit is discarded; the last committed values are sent with enabled:false', async () => {
    const { mock } = renderAdvisor(advisor({ enabled: true, maxUsesPerRun: 5, maxOutputTokens: 2048, reasoningEffort: 'high', modelConfigId: MODEL_SONNET }));
    await loaded();
    await waitFor(() => expect(modelSelect().disabled).toBe(false));
    fireEvent.input(maxUses(), { target: { value: '' } });
    expect(saveButton().disabled).toBe(true);
    fireEvent.click(advisorSwitch());
    expect(screen.queryByLabelText('Max uses per run')).toBeNull();
    expect(saveButton().disabled).toBe(false);
    fireEvent.click(saveButton());
    await waitFor(() =>
      expect(mock.variablesOf('UpdateAdvisorConfig')).toEqual([{ input: { enabled: false, maxUsesPerRun: 5, maxOutputTokens: 2048, modelConfigId: MODEL_SONNET, reasoningEffort: 'high' } }]),
    );
    await screen.findByText('Saved.');
    expect(advisorSwitch().getAttribute('aria-checked')).toBe('false');
    // Turning it back on shows the committed values, not the discarded edit.
    fireEvent.click(advisorSwitch());
    expect(maxUses().value).toBe('5');
  });
});
