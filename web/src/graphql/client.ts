// The app's urql client over HTTP POST, with subscriptions over graphql-ws. Both authenticate
// with the HttpOnly session cookie (same origin), so no token is handled in JavaScript.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

/** The server closes a socket with 4403 when the session is missing, revoked or expired. */
export const WS_SIGNED_OUT_CODE = 4403;

export function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'reason' in value;
}

export function wsUrl(path: string, location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
}

export interface AppClientOptions {
  /**
   * Called when the server says the session is gone: an HTTP operation answered UNAUTHENTICATED,
   * or the WebSocket closed with 4403 while no live view listens to `connection` (a live view,
   * such as the Debug tab, says so in place and keeps what it shows).
   */
  onSignedOut?: () => void;
  url?: string;
  webSocketUrl?: string;
}

export type LiveConnectionEvent =
  /** The socket closed and graphql-ws is reconnecting: live data is paused. */
  | 'lost'
  /** A reconnection succeeded (graphql-ws `connected` with wasRetry). */
  | 'restored'
  /** The server refused the credentials (4403): no further reconnection attempts. */
  | 'signed-out';

/** The state of the graphql-ws socket, for views that show live data. */
export interface LiveConnection {
  on(listener: (event: LiveConnectionEvent) => void): () => void;
  /** True once the server closed the socket with 4403. */
  signedOut(): boolean;
}

/** A connection that never drops (no socket, e.g. in component tests). */
export const STEADY_CONNECTION: LiveConnection = { on: () => () => undefined, signedOut: () => false };

/**
 * Operation context of a subscription that resumes from a cursor: graphql-ws re-sends a
 * subscription's payload after each reconnection, and these variables are read at that moment,
 * so the server replays what was missed since the last applied event.
 */
export interface ResumableContext {
  resumeVariables?: () => Record<string, unknown>;
}

export interface AppClient {
  client: Client;
  ws: WsClient;
  connection: LiveConnection;
  dispose(): void;
}

export function createAppClient(options: AppClientOptions = {}): AppClient {
  const ws = createWsClient({
    url: options.webSocketUrl ?? wsUrl('/graphql'),
    lazy: true,
    // Keeps the socket a moment after the last subscription ends (moving between chats).
    lazyCloseTimeout: 3000,
    retryAttempts: 8,
    // graphql-ws retries 4403 by default: a signed-out page would reconnect in a loop.
    shouldRetry: (event) => isCloseEvent(event) && event.code !== WS_SIGNED_OUT_CODE,
  });
  const listeners = new Set<(event: LiveConnectionEvent) => void>();
  const emit = (event: LiveConnectionEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  let signedOut = false;
  let disposed = false;
  let lost = false;
  const offClosed = ws.on('closed', (event) => {
    if (disposed) return;
    if (isCloseEvent(event) && event.code === WS_SIGNED_OUT_CODE) {
      signedOut = true;
      if (listeners.size > 0) emit('signed-out');
      else options.onSignedOut?.();
    } else if (!(isCloseEvent(event) && event.code === 1000)) {
      // 1000 is the lazy close after the last subscription ended: nothing was lost.
      lost = true;
      emit('lost');
    }
  });
  const offConnected = ws.on('connected', (_socket, _payload, wasRetry) => {
    // A retry, or a new socket after the retries gave up and a view subscribed again.
    if (wasRetry || lost) emit('restored');
    lost = false;
  });
  const connection: LiveConnection = {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signedOut: () => signedOut,
  };

  const client = new Client({
    url: options.url ?? '/graphql',
    // @urql/core 6 sends queries as GET by default; the server accepts POST only (CSRF prevention).
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error, operation) {
          // `me` answers null rather than an error when signed out; any other UNAUTHENTICATED means the session ended.
          if (isUnauthenticated(error) && operation.kind !== 'teardown') options.onSignedOut?.();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request, operation) => {
          const resume = (operation.context as ResumableContext).resumeVariables;
          const payload = { ...request, query: request.query || '' };
          // A getter: graphql-ws serialises the payload on every (re)send, so a resubscription
          // after a dropped socket carries the cursor of the last event applied, not the first.
          if (resume) Object.defineProperty(payload, 'variables', { enumerable: true, get: () => ({ ...request.variables, ...resume() }) });
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(payload, sink) }) };
        },
      }),
    ],
  });

  return {
    client,
    ws,
    connection,
    dispose() {
      disposed = true;
      listeners.clear();
      offClosed();
      offConnected();
      void ws.dispose();
    },
  };
}
