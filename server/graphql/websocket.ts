import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Actor } from '../auth/actor.ts';
import { DEBUG_RESYNC_TOPIC } from '../debug/events.ts';
import { DomainError } from '../errors.ts';
import { originAllowed } from '../http/origin.ts';
import { tokenFromHeaders } from '../rest/http.ts';
import type { Services } from '../services.ts';
import type { GraphQLServer } from './yoga.ts';

export const MAX_WS_PAYLOAD = 1024 * 1024;
const CONNECTION_INIT_TIMEOUT_MS = 3000;

// A type alias (not an interface) so it satisfies graphql-ws's Record constraint.
type ExtraFields = { actor: Actor };

type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: (a: ExecutionArgs) => unknown; subscribe: (a: ExecutionArgs) => unknown } };

// By name: armor's errors may come from graphql's other module entry.
const isGraphQLError = (error: unknown): error is GraphQLError => error instanceof Error && error.name === 'GraphQLError';

/** The codes yoga gives the same failures over HTTP (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED). */
function withCode(error: GraphQLError, code: string): GraphQLError {
  const { http: _http, ...extensions } = error.extensions ?? {}; // yoga's HTTP status means nothing here
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { code, ...extensions },
  });
}

/** graphql-ws on our HTTP server, going through yoga's envelope so limits, masking and context apply. */
export function createGraphQLWebSocketServer(yoga: GraphQLServer, services: Services, allowedOrigins: () => string[]) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD });
  /**
   * Open sockets by session (key id), with the session's token to check it again (expiry, or a
   * logout this process missed). Sockets of one key id share one token: connecting checked its secret.
   */
  const sessions = new Map<string, { token: string; sockets: Set<WebSocket> }>();

  const disposable = useServer<Record<string, unknown> | undefined, ExtraFields>(
    {
      connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.sessionToken;
        const token = typeof fromParams === 'string' && fromParams ? fromParams : tokenFromHeaders(ctx.extra.request.headers);
        const actor = token ? await services.users.authenticate(token).catch(() => undefined) : undefined;
        if (!actor) return false; // closes with 4403 Forbidden
        // Closed during the lookup: onClose has run already, so nothing may be registered now.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        ctx.extra.actor = actor;
        let session = sessions.get(actor.keyId);
        if (!session) sessions.set(actor.keyId, (session = { token: token!, sockets: new Set() }));
        session.sockets.add(ctx.extra.socket);
        return true;
      },
      onClose: (ctx) => {
        const keyId = ctx.extra.actor?.keyId;
        if (!keyId) return;
        const session = sessions.get(keyId);
        session?.sockets.delete(ctx.extra.socket);
        if (session?.sockets.size === 0) sessions.delete(keyId);
      },
      onSubscribe: async (ctx, _id, payload) => {
        // yoga's parse and validate, not graphql-js's: armor's token limit hooks the parser.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          socketActor: ctx.extra.actor,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (isGraphQLError(error)) return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
          throw error;
        }
        const args = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        // Armor's limits throw from validation; as a thrown error graphql-ws would close the whole
        // socket (4500), so answer this operation with the error instead.
        let errors: readonly GraphQLError[];
        try {
          errors = validate(args.schema, args.document);
        } catch (error) {
          // Armor's rejections: BAD_USER_INPUT, as yoga's masking makes them over HTTP.
          if (isGraphQLError(error)) return [withCode(error, 'BAD_USER_INPUT')];
          throw error;
        }
        return errors.length ? errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) : args;
      },
    },
    wss,
  );

  // Logging out closes that session's sockets: the client sees 4403 and stops retrying.
  const unsubscribe = services.deps.events.on('auth', (payload) => {
    if (payload.kind !== 'REVOKED' || typeof payload.keyId !== 'string') return;
    for (const socket of sessions.get(payload.keyId)?.sockets ?? []) socket.close(4403, 'Forbidden');
  });

  // Sessions are checked again now and then and after a gap in events: an expired session, or one
  // revoked while this process missed the notice, closes its sockets like a logout. A failure to
  // look the key up (the database away) keeps the socket. One lookup per session, however many
  // sockets it has; one pass at a time, and a pass asked for during one runs after it (a resync
  // must not be lost to a pass that started before it).
  let checking = false;
  let again = false;
  const recheckSessions = async () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        for (const { token, sockets } of [...sessions.values()]) {
          const ended = await services.users.authenticate(token).then(
            () => false,
            (error: unknown) => error instanceof DomainError && error.kind === 'Unauthenticated',
          );
          if (ended) for (const socket of [...sockets]) socket.close(4403, 'Forbidden');
        }
      } while (again);
    } finally {
      checking = false;
    }
  };
  const offResync = services.deps.events.on(DEBUG_RESYNC_TOPIC, () => void recheckSessions());
  const sessionTimer = setInterval(() => void recheckSessions(), Math.max(1000, services.config.keyCacheMs));
  sessionTimer.unref();

  return {
    /** Upgrades /graphql after an Origin check: cookies authenticate sockets and WebSockets have no CORS. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      if (!originAllowed(req.headers.origin, req.headers.host, allowedOrigins())) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async close() {
      unsubscribe();
      offResync();
      clearInterval(sessionTimer);
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
    },
  };
}
