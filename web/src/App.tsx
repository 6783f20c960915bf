import { Navigate, Route, Router, type RouteSectionProps } from '@solidjs/router';
import { Show, createSignal, onCleanup } from 'solid-js';
import { LiveConnectionContext, Provider, createAppClient, type AppClient } from './graphql/index.ts';
import { AuthenticatedLayout } from './pages/Layout/AuthenticatedLayout.tsx';
import { AgentsPage } from './pages/Agents/AgentsPage.tsx';
import { ChatPage } from './pages/Chat/ChatPage.tsx';
import { LoginPage } from './pages/Login/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFound/NotFoundPage.tsx';
import { SettingsLayout } from './pages/Settings/SettingsLayout.tsx';
import { ExperimentsPage } from './pages/SettingsExperiments/ExperimentsPage.tsx';
import { GeneralPage } from './pages/SettingsGeneral/GeneralPage.tsx';
import { SetupPage } from './pages/Setup/SetupPage.tsx';
import { SessionProvider, loginHref } from './session/session.tsx';

/** Every route of the app (also used by tests under a MemoryRouter). */
export function AppRoutes() {
  return (
    <>
      <Route path="/setup" component={SetupPage} />
      <Route path="/login" component={LoginPage} />
      <Route path="/" component={AuthenticatedLayout}>
        <Route path="/" component={() => <Navigate href="/agents" />} />
        <Route path="/agents" component={AgentsPage} />
        <Route path="/agents/settings" component={SettingsLayout}>
          <Route path="/" component={() => <Navigate href="/agents/settings/general" />} />
          <Route path="/general" component={GeneralPage} />
          <Route path="/experiments" component={ExperimentsPage} />
        </Route>
        <Route path="/agents/:chat" component={ChatPage} />
        <Route path="*404" component={NotFoundPage} />
      </Route>
    </>
  );
}

function RouteRoot(props: RouteSectionProps) {
  return <>{props.children}</>;
}

/**
 * The app: one urql client (HTTP + WebSocket) per session. Signing in or out remounts the tree
 * with a new client, so no cached data or open socket outlives the session it belongs to.
 */
export function App() {
  const makeClient = (): AppClient => {
    let signedOut = false;
    const created: AppClient = createAppClient({
      onSignedOut: () => {
        const path = window.location.pathname + window.location.search;
        // Only the current client may restart the app, and only once.
        if (signedOut || app() !== created || path.startsWith('/login') || path.startsWith('/setup')) return;
        signedOut = true;
        // Let the failing render settle before remounting.
        queueMicrotask(() => restart(loginHref(path)));
      },
    });
    return created;
  };
  const [app, setApp] = createSignal<AppClient>(makeClient());
  const restart = (target: string) => {
    if (window.location.pathname + window.location.search !== target) window.history.pushState(null, '', target);
    const previous = app();
    setApp(makeClient());
    previous.dispose();
  };
  onCleanup(() => app().dispose());

  return (
    <Show when={app()} keyed>
      {(current) => (
        <Provider value={current.client}>
          <LiveConnectionContext.Provider value={current.connection}>
            <SessionProvider restart={restart}>
              <Router root={RouteRoot}>{AppRoutes()}</Router>
            </SessionProvider>
          </LiveConnectionContext.Provider>
        </Provider>
      )}
    </Show>
  );
}
