import { createContext, useContext, type Accessor, type JSX } from 'solid-js';
import { MeQuery, createQuery, type User } from '../graphql/index.ts';

export interface Session {
  /** undefined while loading, null when signed out. */
  user: Accessor<User | null | undefined>;
  /** A failure to ask the server who is signed in (network error). */
  loadError: Accessor<boolean>;
  retry(): void;
  /** Remounts the app with fresh caches and sockets at `target` (after sign-in or sign-out). */
  restart(target: string): void;
}

export const SessionContext = createContext<Session>();

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionContext provider.');
  return session;
}

export const isOwner = (user: User | null | undefined) => user?.role === 'OWNER';

/** Asks the server who is signed in (`Query.me`, null when signed out). */
export function SessionProvider(props: { restart: (target: string) => void; children: JSX.Element }) {
  const [me, reexecute] = createQuery({ query: MeQuery, requestPolicy: 'network-only' });
  const session: Session = {
    user: () => {
      if (me.data) return me.data.me ?? null;
      if (me.error && !me.error.networkError) return null;
      return undefined;
    },
    loadError: () => Boolean(me.error?.networkError) && !me.fetching && !me.data,
    retry: () => reexecute({ requestPolicy: 'network-only' }),
    restart: props.restart,
  };
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

/** Where a signed-out visitor goes: /login, returning to `from` after sign-in. */
export function loginHref(from: string): string {
  return from && from !== '/' && !from.startsWith('/login') ? `/login?redirect=${encodeURIComponent(from)}` : '/login';
}

/** A same-origin path to return to after sign-in; anything else falls back to /agents. */
export function safeRedirect(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/agents';
  if (value.startsWith('/login') || value.startsWith('/setup')) return '/agents';
  return value;
}
