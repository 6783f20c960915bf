import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './database.ts';

export interface TestServer {
  url: string;
  app: App;
  db: TestDatabase;
  config: Config;
  api: Api;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; undefined for an empty body. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary JSON
}

export interface RequestOptions {
  token?: string;
  /** A string is sent as-is (to test malformed JSON); anything else is JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async request(method: string, urlPath: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['Coder-Session-Token'] = options.token;
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const response = await fetch(this.baseUrl + urlPath, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  get = (p: string, o?: RequestOptions) => this.request('GET', p, o);
  post = (p: string, o?: RequestOptions) => this.request('POST', p, o);
  put = (p: string, o?: RequestOptions) => this.request('PUT', p, o);
  patch = (p: string, o?: RequestOptions) => this.request('PATCH', p, o);
  delete = (p: string, o?: RequestOptions) => this.request('DELETE', p, o);

  /** A GraphQL operation over HTTP POST; returns the whole response. */
  async graphql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<ApiResponse> {
    return this.request('POST', '/graphql', { token, body: { query, variables }, headers: { 'Content-Type': 'application/json' } });
  }
}

export async function startTestServer(backend: Backend, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const db = await createTestDatabase(backend);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-data-'));
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs', ...(options.args ?? [])], options.env ?? {});
  const app = await buildApp({ config, database: db, secrets: SecretBox.fromPassphrase('test-secrets-key') });
  const url = await app.start(0, '127.0.0.1');
  return {
    url,
    app,
    db,
    config,
    api: new Api(url),
    async close() {
      await app.stop();
      await db.destroy();
    },
  };
}
