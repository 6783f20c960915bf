import { createEffect, createSignal } from 'solid-js';
import {
  DesktopSettingsQuery,
  ExperimentsChangedSubscription,
  SetComputerUseProviderMutation,
  SetDesktopEnabledMutation,
  createMutation,
  createQuery,
  createSubscription,
  type DesktopSettings,
} from '../../graphql/index.ts';
import { VirtualDesktopSectionView } from './VirtualDesktopSectionView.tsx';

/** A plain copy of the store value; reading every field also makes effects track them. */
export function copyDesktopSettings(s: DesktopSettings): DesktopSettings {
  const a = s.availability;
  return {
    enableDesktop: s.enableDesktop,
    computerUseProvider: s.computerUseProvider,
    availability: { available: a.available, code: a.code ?? null, reason: a.reason ?? null, provider: a.provider, model: a.model },
  };
}

/** 2.1 Virtual desktop: each control saves on change and then shows what the server returned. */
export function VirtualDesktopSection() {
  const [query, reexecute] = createQuery({ query: DesktopSettingsQuery });
  const [current, setCurrent] = createSignal<DesktopSettings>();
  createEffect(() => {
    const settings = query.data?.desktopSettings;
    if (settings) setCurrent(copyDesktopSettings(settings));
  });

  // Availability also depends on provider keys and other settings: refresh it when they change.
  let events = 0;
  createSubscription({ query: ExperimentsChangedSubscription }, (_previous, data) => {
    if (events++ > 0) reexecute({ requestPolicy: 'network-only' });
    return data;
  });

  const [enabledState, setDesktopEnabled] = createMutation(SetDesktopEnabledMutation);
  const [providerState, setProvider] = createMutation(SetComputerUseProviderMutation);
  const [enabledError, setEnabledError] = createSignal(false);
  const [providerError, setProviderError] = createSignal(false);

  const onToggleEnabled = async (enabled: boolean) => {
    setEnabledError(false);
    const result = await setDesktopEnabled({ enabled });
    const saved = result.data?.setDesktopEnabled;
    if (saved && !result.error) setCurrent(copyDesktopSettings(saved));
    else setEnabledError(true);
  };
  const onSelectProvider = async (provider: string) => {
    setProviderError(false);
    const result = await setProvider({ provider });
    const saved = result.data?.setComputerUseProvider;
    if (saved && !result.error) setCurrent(copyDesktopSettings(saved));
    else setProviderError(true);
  };

  return (
    <VirtualDesktopSectionView
      settings={current()}
      loading={!current() && !query.error}
      loadError={!current() && Boolean(query.error) && !query.fetching}
      savingEnabled={enabledState.fetching}
      savingProvider={providerState.fetching}
      enabledSaveError={enabledError()}
      providerSaveError={providerError()}
      onToggleEnabled={onToggleEnabled}
      onSelectProvider={onSelectProvider}
    />
  );
}
