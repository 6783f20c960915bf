import { Match, Show, Switch as SwitchFlow } from 'solid-js';
import { ExperimentalBadge } from '../../components/Badge.tsx';
import { CircleAlertIcon, CircleCheckIcon, ExternalLinkIcon } from '../../components/Icons.tsx';
import { Select } from '../../components/Select.tsx';
import { Skeleton, SwitchSkeleton } from '../../components/Skeleton.tsx';
import { ErrorText, StatusLine } from '../../components/Status.tsx';
import { Switch } from '../../components/Switch.tsx';
import type { DesktopSettings } from '../../graphql/index.ts';

export const COMPUTER_USE_PROVIDERS = [
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai', label: 'OpenAI' },
];

/** The fixed computer-use model of each provider (the server's `availability.model` wins). */
export const COMPUTER_USE_MODELS: Record<string, string> = { anthropic: 'claude-opus-4-6', openai: 'gpt-5.5' };

export const PORTABLEDESKTOP_URL = 'https://registry.coder.com/modules/coder/portabledesktop';

export interface VirtualDesktopSectionViewProps {
  settings: DesktopSettings | undefined;
  loading: boolean;
  loadError: boolean;
  savingEnabled: boolean;
  savingProvider: boolean;
  enabledSaveError: boolean;
  providerSaveError: boolean;
  onToggleEnabled: (enabled: boolean) => void;
  onSelectProvider: (provider: string) => void;
}

export function VirtualDesktopSectionView(props: VirtualDesktopSectionViewProps) {
  const enabled = () => props.settings?.enableDesktop ?? false;
  const providerDisabled = () => !enabled() || props.loading || props.savingEnabled || props.savingProvider;
  const model = () => {
    const s = props.settings;
    if (!s) return undefined;
    return COMPUTER_USE_MODELS[s.computerUseProvider] ?? (s.availability.provider === s.computerUseProvider ? s.availability.model : undefined);
  };
  const showControls = () => props.loading || Boolean(props.settings);

  return (
    <section class="settings-section" aria-labelledby="virtual-desktop-heading">
      <div class="section-header">
        <div class="section-title-row">
          <h3 id="virtual-desktop-heading" class="section-title">
            Virtual desktop
          </h3>
          <ExperimentalBadge />
        </div>
        <Show when={showControls()}>
          <SwitchFlow>
            <Match when={props.loading}>
              <SwitchSkeleton />
            </Match>
            <Match when={props.settings}>
              <Switch
                aria-label="Enable virtual desktop"
                aria-describedby="virtual-desktop-help"
                checked={enabled()}
                disabled={props.loading || props.savingEnabled}
                onChange={props.onToggleEnabled}
              />
            </Match>
          </SwitchFlow>
        </Show>
      </div>
      <p class="section-help" id="virtual-desktop-help">
        Allow agents to use a virtual, graphical desktop within workspaces. Requires the{' '}
        <a href={PORTABLEDESKTOP_URL} target="_blank" rel="noopener noreferrer" class="link">
          portabledesktop module
          <ExternalLinkIcon size={12} class="link-icon" />
        </a>{' '}
        to be installed in the workspace and the selected computer use provider to be configured.
      </p>

      <Show when={showControls()}>
        <div class="subsection">
          <h4 id="computer-use-provider-heading" class="subsection-title">
            Computer use provider
          </h4>
          <p id="computer-use-provider-description" class="section-help">
            Select the provider agents use for computer-use actions when virtual desktop is enabled.
          </p>
          <Select
            class="provider-select"
            aria-labelledby="computer-use-provider-heading"
            aria-describedby="computer-use-provider-description"
            value={props.settings?.computerUseProvider}
            options={COMPUTER_USE_PROVIDERS}
            placeholder="Select provider"
            display={props.loading ? <Skeleton width="6rem" height="0.875rem" /> : undefined}
            disabled={providerDisabled()}
            onChange={props.onSelectProvider}
          />
          <Show when={model()}>
            <p class="model-line">
              Model: <code>{model()}</code>
            </p>
            <p class="help-text">The computer-use model is fixed for each provider.</p>
          </Show>
        </div>
      </Show>

      <Show when={props.settings}>
        {(settings) => (
          <StatusLine tone={settings().availability.available ? 'success' : 'warning'} class="availability">
            <Show when={settings().availability.available} fallback={<CircleAlertIcon size={14} />}>
              <CircleCheckIcon size={14} />
            </Show>
            <span>{settings().availability.available ? 'Available to agents.' : `Unavailable: ${settings().availability.reason ?? 'unknown reason'}`}</span>
          </StatusLine>
        )}
      </Show>

      <Show when={props.loadError}>
        <ErrorText>Failed to load virtual desktop settings.</ErrorText>
      </Show>
      <Show when={props.enabledSaveError}>
        <ErrorText>Failed to save desktop setting.</ErrorText>
      </Show>
      <Show when={props.providerSaveError}>
        <ErrorText>Failed to save computer use provider.</ErrorText>
      </Show>
    </section>
  );
}
