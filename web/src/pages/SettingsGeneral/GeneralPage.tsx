import { MyDebugLoggingQuery, SetMyDebugLoggingMutation, type UserDebugLoggingSettings } from '../../graphql/index.ts';
import { createSavedToggle } from '../Settings/createSavedToggle.ts';
import { GeneralPageView } from './GeneralPageView.tsx';

const copy = (s: UserDebugLoggingSettings): UserDebugLoggingSettings => ({
  debugLoggingEnabled: s.debugLoggingEnabled,
  userToggleAllowed: s.userToggleAllowed,
  forcedByDeployment: s.forcedByDeployment,
});

/** /agents/settings/general: the personal debug-logging opt-in, saved on change. */
export function GeneralPage() {
  const setting = createSavedToggle({
    query: MyDebugLoggingQuery,
    read: (data) => data.myDebugLogging,
    mutation: SetMyDebugLoggingMutation,
    variables: (enabled) => ({ enabled }),
    readSaved: (data) => data.setMyDebugLogging,
    copy,
  });
  return (
    <GeneralPageView
      settings={setting.current()}
      loading={setting.loading()}
      loadError={setting.loadError()}
      saving={setting.saving()}
      saveError={setting.saveError()}
      onToggle={setting.onToggle}
    />
  );
}
