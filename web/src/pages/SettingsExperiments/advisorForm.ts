// The Advisor form's rules (web-ui.md 2.2), kept apart from the markup so they read as a list.
import type { AdvisorConfig, AdvisorConfigInput, ModelConfig } from '../../graphql/index.ts';

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const REASONING_EFFORTS = ['', 'low', 'medium', 'high'] as const;
export const REASONING_EFFORT_OPTIONS = [
  { value: '', label: 'Use chat model default' },
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
];

export interface AdvisorFormValues {
  enabled: boolean;
  maxUsesPerRun: string;
  maxOutputTokens: string;
  reasoningEffort: string;
  modelConfigId: string;
}

const nonNegativeInt = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0);

/** Loaded values as the form shows them: bad integers as 0, unknown efforts as "", nil for "Use chat model". */
export function normalizeAdvisorConfig(config: AdvisorConfig): AdvisorConfigInput {
  return {
    enabled: Boolean(config.enabled),
    maxUsesPerRun: nonNegativeInt(config.maxUsesPerRun),
    maxOutputTokens: nonNegativeInt(config.maxOutputTokens),
    modelConfigId: config.modelConfigId || NIL_UUID,
    reasoningEffort: (REASONING_EFFORTS as readonly string[]).includes(config.reasoningEffort) ? config.reasoningEffort : '',
  };
}

export function toFormValues(config: AdvisorConfigInput): AdvisorFormValues {
  return {
    enabled: config.enabled,
    maxUsesPerRun: String(config.maxUsesPerRun),
    maxOutputTokens: String(config.maxOutputTokens),
    reasoningEffort: config.reasoningEffort,
    modelConfigId: config.modelConfigId,
  };
}

/** A non-empty string of digits whose value is at most Number.MAX_SAFE_INTEGER. */
export function isValidCount(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER;
}

export interface AdvisorFormErrors {
  maxUsesPerRun?: string;
  maxOutputTokens?: string;
  reasoningEffort?: string;
}

export function validateAdvisorForm(values: AdvisorFormValues): AdvisorFormErrors {
  const errors: AdvisorFormErrors = {};
  if (!values.enabled) return errors; // hidden fields are not validated: their edits are discarded
  if (!isValidCount(values.maxUsesPerRun)) errors.maxUsesPerRun = 'Max uses per run must be a non-negative integer.';
  if (!isValidCount(values.maxOutputTokens)) errors.maxOutputTokens = 'Max output tokens must be a non-negative integer.';
  if (!(REASONING_EFFORTS as readonly string[]).includes(values.reasoningEffort)) errors.reasoningEffort = 'Select a valid reasoning effort.';
  return errors;
}

export function isAdvisorFormDirty(values: AdvisorFormValues, committed: AdvisorConfigInput): boolean {
  if (values.enabled !== committed.enabled) return true;
  if (!values.enabled) return false;
  return (
    !isValidCount(values.maxUsesPerRun) ||
    Number(values.maxUsesPerRun) !== committed.maxUsesPerRun ||
    !isValidCount(values.maxOutputTokens) ||
    Number(values.maxOutputTokens) !== committed.maxOutputTokens ||
    values.reasoningEffort !== committed.reasoningEffort ||
    values.modelConfigId !== committed.modelConfigId
  );
}

export interface ModelConfigsState {
  configs: ModelConfig[] | undefined;
  loading: boolean;
  refetching: boolean;
  error: boolean;
}

/** The model id is confirmed missing only from a settled, successful list that lacks it. */
export function isModelConfirmedMissing(id: string, models: ModelConfigsState): boolean {
  if (id === NIL_UUID || models.loading || models.refetching || models.error || !models.configs) return false;
  return !models.configs.some((c) => c.id === id);
}

/** What Save sends: the form when enabled; the last committed values with enabled:false otherwise. */
export function advisorSavePayload(values: AdvisorFormValues, committed: AdvisorConfigInput, models: ModelConfigsState): AdvisorConfigInput {
  if (values.enabled) {
    return {
      enabled: true,
      maxUsesPerRun: Number(values.maxUsesPerRun),
      maxOutputTokens: Number(values.maxOutputTokens),
      modelConfigId: values.modelConfigId || NIL_UUID,
      reasoningEffort: values.reasoningEffort,
    };
  }
  return {
    enabled: false,
    maxUsesPerRun: committed.maxUsesPerRun,
    maxOutputTokens: committed.maxOutputTokens,
    modelConfigId: isModelConfirmedMissing(committed.modelConfigId, models) ? NIL_UUID : committed.modelConfigId,
    reasoningEffort: committed.reasoningEffort,
  };
}

export const modelConfigLabel = (config: ModelConfig) => config.displayName.trim() || config.model;
export const unavailableModelLabel = (id: string) => `Unavailable model (${id})`;

/** "Unavailable model (<id>)" (saved id not among the enabled configs), "Use chat model", then each enabled config. */
export function advisorModelOptions(savedId: string, configs: ModelConfig[] | undefined): { value: string; label: string }[] {
  const enabled = (configs ?? []).filter((c) => c.enabled);
  const options: { value: string; label: string }[] = [];
  if (savedId !== NIL_UUID && !enabled.some((c) => c.id === savedId)) options.push({ value: savedId, label: unavailableModelLabel(savedId) });
  options.push({ value: NIL_UUID, label: 'Use chat model' });
  for (const c of enabled) options.push({ value: c.id, label: modelConfigLabel(c) });
  return options;
}

export function advisorModelHelper(selectedId: string, models: ModelConfigsState): string {
  if (models.loading) return 'Loading chat model overrides.';
  if (models.error) {
    return selectedId === NIL_UUID
      ? 'Model overrides are unavailable. Saving will keep using the chat model.'
      : 'Model overrides are unavailable. The current selection will be sent unchanged.';
  }
  return 'Choose a dedicated advisor model, or leave this unset to reuse the chat model.';
}
