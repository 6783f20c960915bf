import { Match, Show, Switch as SwitchFlow } from 'solid-js';
import { SwitchSkeleton } from '../../components/Skeleton.tsx';
import { ErrorText } from '../../components/Status.tsx';
import { Switch } from '../../components/Switch.tsx';
import type { UserDebugLoggingSettings } from '../../graphql/index.ts';

export const PERSONAL_DEBUG_HELP =
  'Save a detailed trace of your chats: each turn plus the raw API requests and responses sent to the model provider. Useful for troubleshooting unexpected model behavior.';
export const PERSONAL_DEBUG_FORCED_HELP =
  'An administrator has enabled debug logging for every chat in this deployment, so this toggle is locked on.';
export const PERSONAL_DEBUG_GATE_OFF_HELP = 'An administrator has not enabled user-controlled chat debug logging.';

export interface GeneralPageViewProps {
  settings: UserDebugLoggingSettings | undefined;
  loading: boolean;
  loadError: boolean;
  saving: boolean;
  saveError: boolean;
  onToggle: (enabled: boolean) => void;
}

/** The switch's state and help text for each server state (web-ui.md section 3). */
export function personalDebugState(s: UserDebugLoggingSettings): { checked: boolean; locked: boolean; help: string } {
  if (s.forcedByDeployment) return { checked: true, locked: true, help: PERSONAL_DEBUG_FORCED_HELP };
  if (s.userToggleAllowed) return { checked: s.debugLoggingEnabled, locked: false, help: PERSONAL_DEBUG_HELP };
  return { checked: false, locked: true, help: PERSONAL_DEBUG_GATE_OFF_HELP };
}

export function GeneralPageView(props: GeneralPageViewProps) {
  const state = () => (props.settings ? personalDebugState(props.settings) : undefined);
  return (
    <div class="settings-page">
      <header class="settings-page-header">
        <h2 class="settings-page-title">General</h2>
        <p class="page-description">Personal preferences for your chat experience.</p>
      </header>
      <div class="settings-sections">
        <Show when={props.loading || props.settings || props.loadError}>
          <section class="settings-section" aria-labelledby="personal-debug-heading">
            <div class="section-header">
              <h3 id="personal-debug-heading" class="section-title">
                Record debug logs for my chats
              </h3>
              <SwitchFlow>
                <Match when={props.loading}>
                  <SwitchSkeleton />
                </Match>
                <Match when={state()}>
                  {(s) => (
                    <Switch
                      aria-label="Enable personal chat debug logging"
                      aria-describedby="personal-debug-help"
                      checked={s().checked}
                      disabled={s().locked || props.saving}
                      onChange={props.onToggle}
                    />
                  )}
                </Match>
              </SwitchFlow>
            </div>
            <Show when={state()}>
              {(s) => (
                <p class="section-help" id="personal-debug-help">
                  {s().help}
                </p>
              )}
            </Show>
            <Show when={props.loadError}>
              <ErrorText>Failed to load your chat debug logging preference.</ErrorText>
            </Show>
            <Show when={props.saveError}>
              <ErrorText>Failed to save your chat debug logging preference.</ErrorText>
            </Show>
          </section>
        </Show>
      </div>
    </div>
  );
}
