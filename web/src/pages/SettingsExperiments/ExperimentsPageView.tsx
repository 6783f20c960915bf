import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { Dialog } from '../../components/Dialog.tsx';

export function ExperimentsPageView(props: { virtualDesktop: JSX.Element; advisor: JSX.Element; debugLogging: JSX.Element }) {
  return (
    <div class="settings-page">
      <header class="settings-page-header">
        <h2 class="settings-page-title">Experiments</h2>
        <p class="page-description">Opt in to experimental features.</p>
      </header>
      <div class="settings-sections">
        {props.virtualDesktop}
        {props.advisor}
        {props.debugLogging}
      </div>
    </div>
  );
}

export const PERMISSION_TITLE = "You don't have permission to view this page";
export const PERMISSION_DESCRIPTION =
  'If you believe this is a mistake, please contact your administrator or try signing in with different credentials.';

export function PermissionDialog() {
  return (
    <Dialog title={PERMISSION_TITLE} description={PERMISSION_DESCRIPTION}>
      <div class="dialog-actions">
        <A href="/agents" class="button button-primary">
          Go to agents
        </A>
      </div>
    </Dialog>
  );
}
