import { Show } from 'solid-js';
import { isOwner, useSession } from '../../session/session.tsx';
import { AdvisorSettings } from './AdvisorSettings.tsx';
import { DebugLoggingAdminSection } from './DebugLoggingAdminSection.tsx';
import { ExperimentsPageView, PermissionDialog } from './ExperimentsPageView.tsx';
import { VirtualDesktopSection } from './VirtualDesktopSection.tsx';

/**
 * /agents/settings/experiments: owners only. Others get the permission dialog, and the
 * sections (which request the settings) are never mounted for them.
 */
export function ExperimentsPage() {
  const session = useSession();
  return (
    <Show when={isOwner(session.user())} fallback={<PermissionDialog />}>
      <ExperimentsPageView virtualDesktop={<VirtualDesktopSection />} advisor={<AdvisorSettings />} debugLogging={<DebugLoggingAdminSection />} />
    </Show>
  );
}
