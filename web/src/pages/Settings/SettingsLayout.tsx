import { A, useLocation, type RouteSectionProps } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { BotIcon, ChevronLeftIcon, ChevronRightIcon, FlaskIcon, SlidersIcon } from '../../components/Icons.tsx';
import { isOwner, useSession } from '../../session/session.tsx';

/**
 * /agents/settings/*: the sidebar titled "Settings" ("General"; for owners "Manage Agents", a
 * sub-panel listing "Experiments") beside the page.
 */
export function SettingsLayout(props: RouteSectionProps) {
  const session = useSession();
  const location = useLocation();
  const owner = () => isOwner(session.user());
  const [panel, setPanel] = createSignal<'main' | 'manage'>(owner() && location.pathname.startsWith('/agents/settings/experiments') ? 'manage' : 'main');
  let manageButton: HTMLButtonElement | undefined;
  let backButton: HTMLButtonElement | undefined;
  const openManage = () => {
    setPanel('manage');
    queueMicrotask(() => backButton?.focus());
  };
  const closeManage = () => {
    setPanel('main');
    queueMicrotask(() => manageButton?.focus());
  };
  const current = (path: string) => (location.pathname === path ? 'page' : undefined);

  return (
    <div class="settings-layout">
      <nav class="settings-sidebar" aria-label="Settings">
        <Show
          when={panel() === 'manage' && owner()}
          fallback={
            <>
              <h1 class="sidebar-title">Settings</h1>
              <ul class="sidebar-list">
                <li>
                  <A href="/agents/settings/general" class="sidebar-item" aria-current={current('/agents/settings/general')}>
                    <SlidersIcon />
                    <span>General</span>
                  </A>
                </li>
                <Show when={owner()}>
                  <li>
                    <button ref={manageButton} type="button" class="sidebar-item" onClick={openManage}>
                      <BotIcon />
                      <span>Manage Agents</span>
                      <ChevronRightIcon class="sidebar-item-trailing" />
                    </button>
                  </li>
                </Show>
              </ul>
            </>
          }
        >
          <div class="sidebar-subheader">
            <button ref={backButton} type="button" class="icon-button" aria-label="Back to settings" onClick={closeManage}>
              <ChevronLeftIcon />
            </button>
            <h1 class="sidebar-title">Manage Agents</h1>
          </div>
          <ul class="sidebar-list">
            <li>
              <A href="/agents/settings/experiments" class="sidebar-item" aria-current={current('/agents/settings/experiments')}>
                <FlaskIcon />
                <span>Experiments</span>
              </A>
            </li>
          </ul>
        </Show>
      </nav>
      <div class="settings-content">{props.children}</div>
    </div>
  );
}
