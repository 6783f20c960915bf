import { createEffect, createSignal } from 'solid-js';
import {
  DebugLoggingAdminQuery,
  SetDebugLoggingAllowUsersMutation,
  createMutation,
  createQuery,
  type DebugLoggingAdminSettings,
} from '../../graphql/index.ts';
import { DebugLoggingAdminSectionView } from './DebugLoggingAdminSectionView.tsx';

const copy = (s: DebugLoggingAdminSettings): DebugLoggingAdminSettings => ({ allowUsers: s.allowUsers, forcedByDeployment: s.forcedByDeployment });

export function DebugLoggingAdminSection() {
  const [query] = createQuery({ query: DebugLoggingAdminQuery });
  const [current, setCurrent] = createSignal<DebugLoggingAdminSettings>();
  createEffect(() => {
    const settings = query.data?.debugLoggingAdminSettings;
    if (settings) setCurrent(copy(settings));
  });
  const [saveState, save] = createMutation(SetDebugLoggingAllowUsersMutation);
  const [saveError, setSaveError] = createSignal(false);
  const onToggle = async (allowUsers: boolean) => {
    setSaveError(false);
    const result = await save({ allowUsers });
    const saved = result.data?.setDebugLoggingAllowUsers;
    if (saved && !result.error) setCurrent(copy(saved));
    else setSaveError(true);
  };
  return (
    <DebugLoggingAdminSectionView
      settings={current()}
      loading={!current() && !query.error}
      loadError={!current() && Boolean(query.error)}
      saving={saveState.fetching}
      saveError={saveError()}
      onToggle={onToggle}
    />
  );
}
