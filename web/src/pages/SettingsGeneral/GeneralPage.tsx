import { createEffect, createSignal } from 'solid-js';
import { MyDebugLoggingQuery, SetMyDebugLoggingMutation, createMutation, createQuery, type UserDebugLoggingSettings } from '../../graphql/index.ts';
import { GeneralPageView } from './GeneralPageView.tsx';

const copy = (s: UserDebugLoggingSettings): UserDebugLoggingSettings => ({
  debugLoggingEnabled: s.debugLoggingEnabled,
  userToggleAllowed: s.userToggleAllowed,
  forcedByDeployment: s.forcedByDeployment,
});

/** /agents/settings/general: the personal debug-logging opt-in, saved on change. */
export function GeneralPage() {
  const [query] = createQuery({ query: MyDebugLoggingQuery });
  const [current, setCurrent] = createSignal<UserDebugLoggingSettings>();
  createEffect(() => {
    const settings = query.data?.myDebugLogging;
    if (settings) setCurrent(copy(settings));
  });
  const [saveState, save] = createMutation(SetMyDebugLoggingMutation);
  const [saveError, setSaveError] = createSignal(false);
  const onToggle = async (enabled: boolean) => {
    setSaveError(false);
    const result = await save({ enabled });
    const saved = result.data?.setMyDebugLogging;
    if (saved && !result.error) setCurrent(copy(saved));
    else setSaveError(true);
  };
  return (
    <GeneralPageView
      settings={current()}
      loading={!current() && !query.error}
      loadError={!current() && Boolean(query.error)}
      saving={saveState.fetching}
      saveError={saveError()}
      onToggle={onToggle}
    />
  );
}
