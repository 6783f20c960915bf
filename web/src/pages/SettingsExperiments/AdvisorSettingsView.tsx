import { Show, createEffect, createMemo, createRenderEffect, createSignal, on } from 'solid-js';
import { ExperimentalBadge } from '../../components/Badge.tsx';
import { Select } from '../../components/Select.tsx';
import { ErrorText, Spinner } from '../../components/Status.tsx';
import { Switch } from '../../components/Switch.tsx';
import type { AdvisorConfig, AdvisorConfigInput } from '../../graphql/index.ts';
import {
  NIL_UUID,
  REASONING_EFFORT_OPTIONS,
  advisorModelHelper,
  advisorModelOptions,
  advisorSavePayload,
  isAdvisorFormDirty,
  normalizeAdvisorConfig,
  toFormValues,
  unavailableModelLabel,
  validateAdvisorForm,
  type AdvisorFormValues,
  type ModelConfigsState,
} from './advisorForm.ts';

export interface AdvisorSettingsViewProps {
  config: AdvisorConfig | undefined;
  loading: boolean;
  refetching: boolean;
  loadError: boolean;
  models: ModelConfigsState;
  saving: boolean;
  saveError?: string;
  /** Resolves with the saved configuration, or undefined when the save failed. */
  onSave: (input: AdvisorConfigInput) => Promise<AdvisorConfig | undefined>;
}

/** What a number input reports for text it cannot read as a number ("2.", "-", "1e"): invalid. */
const UNREADABLE = 'unreadable';

/**
 * Shows `text()` in a number input without overwriting what is being typed: the input reports ""
 * for text it cannot read yet ("2.", "-"), and writing that back would erase the text and move the
 * caret. The field is written only when the value changes from elsewhere (loading, saving).
 */
function bindNumberText(input: HTMLInputElement, text: () => string) {
  createRenderEffect(() => {
    const next = text();
    if (next !== UNREADABLE && input.value !== next) input.value = next;
  });
}

const typedNumber = (input: HTMLInputElement) => (input.validity.badInput ? UNREADABLE : input.value);

const EMPTY: AdvisorConfigInput = { enabled: false, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: NIL_UUID, reasoningEffort: '' };

/** 2.2 Advisor: a form with an explicit Save; nothing is sent until Save. */
export function AdvisorSettingsView(props: AdvisorSettingsViewProps) {
  // The last committed values: the server's, or those of the last successful save.
  const [committed, setCommitted] = createSignal<AdvisorConfigInput>(EMPTY);
  const [values, setValues] = createSignal<AdvisorFormValues>(toFormValues(EMPTY));
  const [saved, setSaved] = createSignal(false);

  const serverValue = createMemo(
    () => (props.config ? normalizeAdvisorConfig(props.config) : undefined),
    undefined,
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );
  createEffect(
    on(serverValue, (value) => {
      if (!value) return;
      const wasDirty = isAdvisorFormDirty(values(), committed());
      setCommitted(value);
      if (!wasDirty) setValues(toFormValues(value));
    }),
  );

  const errors = createMemo(() => validateAdvisorForm(values()));
  const invalid = () => Object.keys(errors()).length > 0;
  const dirty = () => isAdvisorFormDirty(values(), committed());
  const busy = () => props.loading || props.saving;
  const saveDisabled = () => !dirty() || invalid() || props.loading || props.refetching || props.saving || !props.config;
  const modelSelectDisabled = () => busy() || props.models.loading || props.models.error;

  const edit = (patch: Partial<AdvisorFormValues>) => {
    setSaved(false);
    setValues({ ...values(), ...patch });
  };

  const modelOptions = createMemo(() => advisorModelOptions(committed().modelConfigId, props.models.configs));
  const modelDisplay = () => {
    if (props.models.loading) return 'Loading...';
    const id = values().modelConfigId;
    return modelOptions().find((o) => o.value === id)?.label ?? unavailableModelLabel(id);
  };

  let saveStatus!: HTMLSpanElement;
  let saveButton!: HTMLButtonElement;

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (saveDisabled()) return;
    const payload = advisorSavePayload(values(), committed(), props.models);
    const result = await props.onSave(payload);
    if (result) {
      const value = normalizeAdvisorConfig(result);
      setCommitted(value);
      setValues(toFormValues(value));
      setSaved(true);
    }
    // The fields and Save were disabled while saving, which sent focus to <body>: keep the place in
    // the form, on Save when it can be pressed again, else on the "Saved." status after it.
    setTimeout(() => {
      const active = document.activeElement;
      if (active === null || active === document.body) (saveDisabled() ? saveStatus : saveButton).focus();
    });
  };

  const describedBy = (field: 'maxUsesPerRun' | 'maxOutputTokens' | 'reasoningEffort') =>
    [`advisor-${field}-help`, errors()[field] ? `advisor-${field}-error` : ''].filter(Boolean).join(' ');

  return (
    <section class="settings-section" aria-labelledby="advisor-heading">
      <div class="section-title-row">
        <h3 id="advisor-heading" class="section-title">
          Advisor
        </h3>
        <ExperimentalBadge />
      </div>
      <p class="section-help" id="advisor-description">
        Allow root agent chats to call the advisor tool for strategic guidance.
      </p>
      <p class="section-help">When enabled, you can cap advisor usage per run and optionally use an override model.</p>

      <Show
        when={!props.loadError || props.config}
        fallback={<ErrorText>Failed to load advisor settings.</ErrorText>}
      >
        <form class="advisor-form" onSubmit={onSubmit} noValidate aria-labelledby="advisor-heading">
          <div class="switch-row">
            <Switch
              id="advisor-enabled"
              aria-label="Enable advisor"
              aria-describedby="advisor-description"
              checked={values().enabled}
              disabled={busy() || !props.config}
              onChange={(enabled) => edit({ enabled })}
            />
            <span class="switch-row-label" aria-hidden="true">
              {values().enabled ? 'Enabled' : 'Disabled'}
            </span>
          </div>

          <Show when={values().enabled && props.config}>
            <div class="field-panel">
              <div class="field">
                <label for="advisor-max-uses">Max uses per run</label>
                <input
                  id="advisor-max-uses"
                  class="input"
                  type="number"
                  min="0"
                  step="1"
                  inputmode="numeric"
                  ref={(input) => bindNumberText(input, () => values().maxUsesPerRun)}
                  disabled={busy()}
                  aria-invalid={errors().maxUsesPerRun ? 'true' : undefined}
                  aria-describedby={describedBy('maxUsesPerRun')}
                  onInput={(e) => edit({ maxUsesPerRun: typedNumber(e.currentTarget) })}
                />
                <p class="help-text" id="advisor-maxUsesPerRun-help">
                  Set to 0 to leave the per-run call count unlimited.
                </p>
                <Show when={errors().maxUsesPerRun}>
                  <p class="error-text" id="advisor-maxUsesPerRun-error">
                    {errors().maxUsesPerRun}
                  </p>
                </Show>
              </div>

              <div class="field">
                <label for="advisor-max-output-tokens">Max output tokens</label>
                <input
                  id="advisor-max-output-tokens"
                  class="input"
                  type="number"
                  min="0"
                  step="1"
                  inputmode="numeric"
                  ref={(input) => bindNumberText(input, () => values().maxOutputTokens)}
                  disabled={busy()}
                  aria-invalid={errors().maxOutputTokens ? 'true' : undefined}
                  aria-describedby={describedBy('maxOutputTokens')}
                  onInput={(e) => edit({ maxOutputTokens: typedNumber(e.currentTarget) })}
                />
                <p class="help-text" id="advisor-maxOutputTokens-help">
                  Set to 0 to use the server default output limit.
                </p>
                <Show when={errors().maxOutputTokens}>
                  <p class="error-text" id="advisor-maxOutputTokens-error">
                    {errors().maxOutputTokens}
                  </p>
                </Show>
              </div>

              <div class="field">
                <span class="label" id="advisor-reasoning-effort-label">
                  Reasoning effort
                </span>
                <Select
                  id="advisor-reasoning-effort"
                  aria-labelledby="advisor-reasoning-effort-label"
                  aria-describedby={describedBy('reasoningEffort')}
                  value={values().reasoningEffort}
                  options={REASONING_EFFORT_OPTIONS}
                  placeholder="Use chat model default"
                  display={REASONING_EFFORT_OPTIONS.some((o) => o.value === values().reasoningEffort) ? undefined : 'Use chat model default'}
                  invalid={Boolean(errors().reasoningEffort)}
                  disabled={busy()}
                  onChange={(reasoningEffort) => edit({ reasoningEffort })}
                />
                <p class="help-text" id="advisor-reasoningEffort-help">
                  Controls how hard the advisor model reasons before responding. Leave unset to use the model's default.
                </p>
                <Show when={errors().reasoningEffort}>
                  <p class="error-text" id="advisor-reasoningEffort-error">
                    {errors().reasoningEffort}
                  </p>
                </Show>
              </div>

              <div class="field">
                <span class="label" id="advisor-model-label">
                  Advisor model
                </span>
                <Select
                  id="advisor-model"
                  aria-labelledby="advisor-model-label"
                  aria-describedby="advisor-model-help"
                  value={values().modelConfigId}
                  options={modelOptions()}
                  display={modelDisplay()}
                  disabled={modelSelectDisabled()}
                  onChange={(modelConfigId) => edit({ modelConfigId })}
                />
                <p class="help-text" id="advisor-model-help">
                  {advisorModelHelper(values().modelConfigId, props.models)}
                </p>
              </div>
            </div>
          </Show>

          <div class="form-footer">
            <span role="status" class="save-status" tabIndex={-1} ref={saveStatus}>
              {saved() ? 'Saved.' : ''}
            </span>
            <button type="submit" class="button button-primary" disabled={saveDisabled()} ref={saveButton}>
              <Show when={props.saving}>
                <Spinner size={14} />
              </Show>
              Save
            </button>
          </div>
          <Show when={props.saveError}>
            <ErrorText>{props.saveError}</ErrorText>
          </Show>
        </form>
      </Show>
    </section>
  );
}
