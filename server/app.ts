import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { InProcessEventBus, type EventBus } from './events/bus.ts';
import { PgEventBus } from './events/pg-bus.ts';
import { createGraphQLWebSocketServer } from './graphql/websocket.ts';
import { createGraphQLServer } from './graphql/yoga.ts';
import { serveGraphQL } from './graphql/http.ts';
import { configuredOrigins } from './http/origin.ts';
import { API_SECURITY_HEADERS, serveWeb } from './http/static.ts';
import { SecretBox } from './providers/secret-box.ts';
import { chatRoutes } from './rest/chat-routes.ts';
import { debugRoutes } from './rest/debug-routes.ts';
import { RestRouter } from './rest/router.ts';
import { settingsRoutes } from './rest/settings-routes.ts';
import { userRoutes } from './rest/user-routes.ts';
import { createServices, type Services } from './services.ts';

export interface App {
  server: Server;
  services: Services;
  /** Listens and resolves with the base URL (e.g. http://127.0.0.1:3000). */
  start(port?: number, host?: string): Promise<string>;
  /** Stops accepting, closes WebSockets with 1001, drains requests. Does not close the database. */
  stop(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  database: Database;
  events?: EventBus;
  secrets?: SecretBox;
}

export async function buildApp({ config, database, events, secrets }: AppOptions): Promise<App> {
  const bus = events ?? (database.kind === 'postgres' && database.connectionString ? new PgEventBus(database.connectionString) : new InProcessEventBus());
  if (bus instanceof PgEventBus) await bus.ready;
  const box = secrets ?? (config.secretsKey ? SecretBox.fromPassphrase(config.secretsKey) : await SecretBox.fromKeyFile(config.dataDir));
  const services = createServices({ db: database.prisma, sql: database.sql, config, events: bus, secrets: box });
  const rest = new RestRouter([...userRoutes, ...settingsRoutes, ...chatRoutes, ...debugRoutes], services);
  const yoga = createGraphQLServer(services);
  const allowedOrigins = () => configuredOrigins(config.accessUrl);
  const ws = createGraphQLWebSocketServer(yoga, services, allowedOrigins);
  const stopJobs = config.backgroundJobs ? services.maintenance.startTimers() : () => {};

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    if (!url) {
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
      res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' }).end('{"message":"Invalid request target."}\n');
      return;
    }
    const isApi = url.pathname === '/graphql' || url.pathname === '/healthz' || url.pathname === '/api' || url.pathname.startsWith('/api/');
    // The web app's pages get their own policy in serveWeb.
    if (isApi) for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
    if (url.pathname === '/graphql') {
      closeIfAnsweredEarly(req, res);
      await serveGraphQL(yoga, req, res, url);
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end('{"status":"ok"}\n');
      return;
    }
    if (isApi) {
      await rest.handle(req, res, url);
      return;
    }
    await serveWeb(config.webDist, req, res, url);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('request failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(res.headersSent ? undefined : '{"message":"Internal error."}\n');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    // An exception here would be uncaught (an event handler): answer every failure on the socket.
    socket.on('error', () => socket.destroy());
    try {
      const url = requestUrl(req);
      if (!url) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (url.pathname !== '/graphql') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      ws.handleUpgrade(req, socket, head);
    } catch (error) {
      console.error('upgrade failed:', error);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });

  return {
    server,
    services,
    start(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    async stop() {
      stopJobs();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.close();
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
      await yoga.dispose();
      if (!events) await bus.close();
    },
  };
}

/** The request target as a URL, or undefined when it cannot be parsed (e.g. `GET http://[ HTTP/1.1`). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/**
 * An answer sent before the request body was read to its end (yoga's 413 while a body streams in)
 * closes the connection: the unread rest would otherwise be taken for the next request.
 */
function closeIfAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    if (!req.complete) res.setHeader('Connection', 'close');
    return writeHead(...args);
  }) as typeof res.writeHead;
}
