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
  /** Called when the server says the session is gone (HTTP UNAUTHENTICATED or WebSocket 4403). */
  onSignedOut?: () => void;
  url?: string;
  webSocketUrl?: string;
}

export interface AppClient {
  client: Client;
  ws: WsClient;
  dispose(): void;
}

export function createAppClient(options: AppClientOptions = {}): AppClient {
  const ws = createWsClient({
    url: options.webSocketUrl ?? wsUrl('/graphql'),
    lazy: true,
    retryAttempts: 8,
    // graphql-ws retries 4403 by default: a signed-out page would reconnect in a loop.
    shouldRetry: (event) => isCloseEvent(event) && event.code !== WS_SIGNED_OUT_CODE,
  });
  const offClosed = ws.on('closed', (event) => {
    if (isCloseEvent(event) && event.code === WS_SIGNED_OUT_CODE) options.onSignedOut?.();
  });

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
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query || '' }, sink) }),
        }),
      }),
    ],
  });

  return {
    client,
    ws,
    dispose() {
      offClosed();
      void ws.dispose();
    },
  };
}
