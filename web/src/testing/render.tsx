import { MemoryRouter, createMemoryHistory, useLocation } from '@solidjs/router';
import { render } from '@solidjs/testing-library';
import type { JSX } from 'solid-js';
import { AppRoutes } from '../App.tsx';
import { LiveConnectionContext, Provider, STEADY_CONNECTION, type LiveConnection, type User } from '../graphql/index.ts';
import type { MockClient } from '../graphql/testing.ts';
import { SessionContext, type Session } from '../session/session.tsx';

export const OWNER: User = { id: '11111111-1111-4111-8111-111111111111', username: 'owner', name: 'Olivia Owner', email: 'owner@example.com', role: 'OWNER' };
export const MEMBER: User = { id: '22222222-2222-4222-8222-222222222222', username: 'member', name: 'Max Member', email: 'member@example.com', role: 'MEMBER' };
export const AUDITOR: User = { id: '33333333-3333-4333-8333-333333333333', username: 'auditor', name: 'Ada Auditor', email: 'auditor@example.com', role: 'AUDITOR' };

export interface RenderAppOptions {
  mock: MockClient;
  user: User | null;
  /** The socket state live views see (default: a connection that never drops). */
  connection?: LiveConnection;
}

/** Renders the app's routes at `path` under a MemoryRouter, with the mock client and a fixed session. */
export function renderApp(path: string, options: RenderAppOptions) {
  const history = createMemoryHistory();
  history.set({ value: path, replace: true });
  const restarts: string[] = [];
  const session: Session = {
    user: () => options.user,
    loadError: () => false,
    retry: () => undefined,
    restart: (target) => restarts.push(target),
  };
  let location!: ReturnType<typeof useLocation>;
  function Root(props: { children?: JSX.Element }) {
    location = useLocation();
    return <>{props.children}</>;
  }
  const result = render(() => (
    <Provider value={options.mock.client}>
      <LiveConnectionContext.Provider value={options.connection ?? STEADY_CONNECTION}>
        <SessionContext.Provider value={session}>
          <MemoryRouter history={history} root={Root}>
            {AppRoutes()}
          </MemoryRouter>
        </SessionContext.Provider>
      </LiveConnectionContext.Provider>
    </Provider>
  ));
  return { ...result, history, restarts, path: () => location.pathname + location.search };
}
