import { createSignal } from 'solid-js';
import {
  AdvisorConfigQuery,
  ModelConfigsQuery,
  UpdateAdvisorConfigMutation,
  createMutation,
  createQuery,
  serverMessage,
  type AdvisorConfig,
  type AdvisorConfigInput,
  type ModelConfig,
} from '../../graphql/index.ts';
import { AdvisorSettingsView } from './AdvisorSettingsView.tsx';

const copyAdvisorConfig = (c: AdvisorConfig): AdvisorConfig => ({
  enabled: c.enabled,
  maxUsesPerRun: c.maxUsesPerRun,
  maxOutputTokens: c.maxOutputTokens,
  modelConfigId: c.modelConfigId,
  reasoningEffort: c.reasoningEffort,
});

const copyModelConfig = (c: ModelConfig): ModelConfig => ({
  id: c.id,
  displayName: c.displayName,
  model: c.model,
  provider: c.provider,
  enabled: c.enabled,
});

/** 2.2 Advisor: loads the configuration and the model configs, saves on Save. */
export function AdvisorSettings() {
  const [advisor] = createQuery({ query: AdvisorConfigQuery });
  const [models] = createQuery({ query: ModelConfigsQuery });
  const [saveState, update] = createMutation(UpdateAdvisorConfigMutation);
  const [saveError, setSaveError] = createSignal<string>();

  const config = () => {
    const c = advisor.data?.advisorConfig;
    return c ? copyAdvisorConfig(c) : undefined;
  };
  const modelConfigs = () => {
    const list = models.data?.modelConfigs;
    return list ? list.map(copyModelConfig) : undefined;
  };

  const onSave = async (input: AdvisorConfigInput) => {
    setSaveError(undefined);
    const result = await update({ input });
    const saved = result.data?.updateAdvisorConfig;
    if (saved && !result.error) return copyAdvisorConfig(saved);
    setSaveError(serverMessage(result.error) ?? 'Failed to save advisor settings.');
    return undefined;
  };

  return (
    <AdvisorSettingsView
      config={config()}
      loading={!advisor.data && !advisor.error}
      refetching={Boolean(advisor.data) && (advisor.fetching || advisor.stale)}
      loadError={!advisor.data?.advisorConfig && Boolean(advisor.error)}
      models={{
        configs: modelConfigs(),
        loading: !models.data && !models.error,
        refetching: Boolean(models.data) && (models.fetching || models.stale),
        error: !models.data?.modelConfigs && Boolean(models.error),
      }}
      saving={saveState.fetching}
      saveError={saveError()}
      onSave={onSave}
    />
  );
}
