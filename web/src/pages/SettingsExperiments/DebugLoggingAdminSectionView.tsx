import { Match, Show, Switch as SwitchFlow } from 'solid-js';
import { SwitchSkeleton } from '../../components/Skeleton.tsx';
import { ErrorText } from '../../components/Status.tsx';
import { Switch } from '../../components/Switch.tsx';
import type { DebugLoggingAdminSettings } from '../../graphql/index.ts';

export interface DebugLoggingAdminSectionViewProps {
  settings: DebugLoggingAdminSettings | undefined;
  loading: boolean;
  loadError: boolean;
  saving: boolean;
  saveError: boolean;
  onToggle: (allowUsers: boolean) => void;
}

export const ADMIN_DEBUG_HELP =
  'Lets users turn on debug logging for their own chats from their General settings. When on, each chat turn is saved along with the raw API requests and responses sent to the model provider.';
export const ADMIN_DEBUG_FORCED_HELP = 'Debug logging is already enabled deployment-wide, so this per-user setting has no effect right now.';

/** 2.3 Let users record chat debug logs: the admin gate, saved on change. */
export function DebugLoggingAdminSectionView(props: DebugLoggingAdminSectionViewProps) {
  const forced = () => props.settings?.forcedByDeployment ?? false;
  return (
    <section class="settings-section" aria-labelledby="admin-debug-heading">
      <div class="section-header">
        <h3 id="admin-debug-heading" class="section-title">
          Let users record chat debug logs
        </h3>
        <SwitchFlow>
          <Match when={props.loading}>
            <SwitchSkeleton />
          </Match>
          <Match when={props.settings}>
            {(settings) => (
              <Switch
                aria-label="Allow users to enable chat debug logging"
                aria-describedby="admin-debug-help"
                checked={settings().allowUsers}
                disabled={settings().forcedByDeployment || props.saving}
                onChange={props.onToggle}
              />
            )}
          </Match>
        </SwitchFlow>
      </div>
      <p class="section-help" id="admin-debug-help">
        {forced() ? ADMIN_DEBUG_FORCED_HELP : ADMIN_DEBUG_HELP}
      </p>
      <Show when={props.loadError}>
        <ErrorText>Failed to load the admin debug logging setting.</ErrorText>
      </Show>
      <Show when={props.saveError}>
        <ErrorText>Failed to save the admin debug logging setting.</ErrorText>
      </Show>
    </section>
  );
}
