import { DebugLoggingAdminQuery, SetDebugLoggingAllowUsersMutation, type DebugLoggingAdminSettings } from '../../graphql/index.ts';
import { createSavedToggle } from '../Settings/createSavedToggle.ts';
import { DebugLoggingAdminSectionView } from './DebugLoggingAdminSectionView.tsx';

const copy = (s: DebugLoggingAdminSettings): DebugLoggingAdminSettings => ({ allowUsers: s.allowUsers, forcedByDeployment: s.forcedByDeployment });

export function DebugLoggingAdminSection() {
  const setting = createSavedToggle({
    query: DebugLoggingAdminQuery,
    read: (data) => data.debugLoggingAdminSettings,
    mutation: SetDebugLoggingAllowUsersMutation,
    variables: (allowUsers) => ({ allowUsers }),
    readSaved: (data) => data.setDebugLoggingAllowUsers,
    copy,
  });
  return (
    <DebugLoggingAdminSectionView
      settings={setting.current()}
      loading={setting.loading()}
      loadError={setting.loadError()}
      saving={setting.saving()}
      saveError={setting.saveError()}
      onToggle={setting.onToggle}
    />
  );
}
