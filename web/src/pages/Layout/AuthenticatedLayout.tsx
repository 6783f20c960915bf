import { A, Navigate, useLocation, type RouteSectionProps } from '@solidjs/router';
import { Match, Show, Switch, createSignal } from 'solid-js';
import { signOut } from '../../api/rest.ts';
import { Badge } from '../../components/Badge.tsx';
import { LogOutIcon, LogoMark } from '../../components/Icons.tsx';
import { Spinner } from '../../components/Status.tsx';
import { ToastProvider } from '../../components/Toast.tsx';
import type { User } from '../../graphql/index.ts';
import { loginHref, useSession } from '../../session/session.tsx';

const ROLE_LABELS: Record<User['role'], string> = { OWNER: 'Owner', AUDITOR: 'Auditor', MEMBER: 'Member' };

/** Every signed-in page: signed-out visitors go to /login and come back after signing in. */
export function AuthenticatedLayout(props: RouteSectionProps) {
  const session = useSession();
  const location = useLocation();
  return (
    <Switch>
      <Match when={session.loadError()}>
        <main class="center-page">
          <div class="card narrow">
            <h1 class="page-title">Cannot reach the server</h1>
            <p class="muted">Check your connection and try again.</p>
            <button type="button" class="button button-primary" onClick={() => session.retry()}>
              Try again
            </button>
          </div>
        </main>
      </Match>
      <Match when={session.user() === null}>
        <Navigate href={loginHref(location.pathname + location.search)} />
      </Match>
      <Match when={session.user()}>{(user) => <AppShell user={user()}>{props.children}</AppShell>}</Match>
      <Match when={session.user() === undefined}>
        <main class="center-page" aria-busy="true">
          <Spinner label="Loading…" size={20} />
        </main>
      </Match>
    </Switch>
  );
}

export function AppShell(props: { user: User; children: import('solid-js').JSX.Element }) {
  const session = useSession();
  const location = useLocation();
  const [signingOut, setSigningOut] = createSignal(false);
  const inSettings = () => location.pathname.startsWith('/agents/settings');
  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } catch {
      // The session may already be gone; the app restarts signed out either way.
    }
    session.restart('/login');
  };
  return (
    <ToastProvider>
      <div class="app">
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <A href="/agents" class="brand" end>
            <LogoMark size={26} />
            <span>Experiments</span>
          </A>
          <nav class="topnav" aria-label="Main">
            <A href="/agents" class="topnav-link" classList={{ 'topnav-active': !inSettings() && location.pathname.startsWith('/agents') }} aria-current={!inSettings() && location.pathname.startsWith('/agents') ? 'page' : undefined}>
              Agents
            </A>
            <A href="/agents/settings/general" class="topnav-link" classList={{ 'topnav-active': inSettings() }} aria-current={inSettings() ? 'page' : undefined}>
              Settings
            </A>
          </nav>
          <div class="topbar-user">
            <span class="avatar" aria-hidden="true">
              {(props.user.name || props.user.username).slice(0, 1).toUpperCase()}
            </span>
            <span class="topbar-user-name">
              <span>{props.user.name || props.user.username}</span>
              <Show when={props.user.role !== 'MEMBER'}>
                <Badge tone="neutral">{ROLE_LABELS[props.user.role]}</Badge>
              </Show>
            </span>
            <button type="button" class="button button-ghost button-small" onClick={onSignOut} disabled={signingOut()}>
              <LogOutIcon size={14} />
              Sign out
            </button>
          </div>
        </header>
        <main id="main" class="app-main" tabIndex={-1}>
          {props.children}
        </main>
      </div>
    </ToastProvider>
  );
}
