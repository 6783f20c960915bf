// GraphQL over HTTP (server/graphql/http.ts): the body is read by the server as REST reads it and
// handed to yoga as text; answers are written whole, or as they come for streams.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { HttpConnection } from '../support/http-connection.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('GraphQL over HTTP', () => {
  let server: TestServer;
  let users: Users;
  let chatId: string;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    users = await createUsers(server.api);
    chatId = await createChat(server.api, users.member.token, { title: 'Over HTTP' });
  });
  afterAll(async () => server?.close());

  const query = (accept: string, body = JSON.stringify({ query: `{ chat(id: "${chatId}") { title } }` })) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'Coder-Session-Token': users.member.token, 'Content-Type': 'application/json', Accept: accept },
      body,
    });

  it('answers a query with application/json, or application/graphql-response+json when asked', async () => {
    const json = await query('application/json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('content-length')).toBe(String(Buffer.byteLength(await json.clone().text())));
    expect(await json.json()).toEqual({ data: { chat: { title: 'Over HTTP' } } });
    const spec = await query('application/graphql-response+json');
    expect(spec.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(await spec.json()).toEqual({ data: { chat: { title: 'Over HTTP' } } });
  });

  it('streams a query asked for as text/event-stream: one result, then complete', async () => {
    const res = await query('text/event-stream');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).toContain('event: next\ndata: {"data":{"chat":{"title":"Over HTTP"}}}\n\n');
    expect(text.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
  });

  it('keeps the security headers of the API on GraphQL answers', async () => {
    const res = await query('application/json');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('reads a body sent in many small chunks, and serves the next request on the same connection', async () => {
    const socket = new HttpConnection(new URL(server.url));
    try {
      const body = JSON.stringify({ query: `{ chat(id: "${chatId}") { title } }` });
      const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCoder-Session-Token: ${users.member.token}\r\nContent-Length: ${body.length}\r\n\r\n`;
      socket.write(head);
      for (let i = 0; i < body.length; i += 7) {
        socket.write(body.slice(i, i + 7));
        await new Promise((r) => setTimeout(r, 1));
      }
      const first = await socket.answer();
      expect(first.status).toBe(200);
      expect(JSON.parse(first.text)).toEqual({ data: { chat: { title: 'Over HTTP' } } });
      socket.write(`${head}${body}`);
      const second = await socket.answer();
      expect(second.status).toBe(200);
      expect(JSON.parse(second.text)).toEqual({ data: { chat: { title: 'Over HTTP' } } });
    } finally {
      socket.close();
    }
  });

  it('a client that leaves halfway through its body is not logged as a failure; others are served', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const socket = new HttpConnection(new URL(server.url));
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`);
      await new Promise((r) => setTimeout(r, 50));
      socket.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(errors).not.toHaveBeenCalled();
      expect((await query('application/json')).status).toBe(200);
    } finally {
      errors.mockRestore();
    }
  });

  it('invalid JSON is refused without echoing the body (it may hold a secret, and up to 4 MiB)', async () => {
    const secret = `sk-${'x'.repeat(200_000)}`;
    // V8's wording of the reason varies by version; what matters is that no piece of the body is in it.
    for (const [body, reason] of [
      [`{"query": "{ me { id } }", "variables": {"key": ${secret}}}`, 'Unexpected token in JSON'],
      [`{"query": "{ me { id } }", "variables": {"key": "${secret}"`, expect.stringMatching(/^[^"]* in JSON at position \d+/)],
      ['{"query": "{ me { id } }"', expect.stringMatching(/^[^"]* in JSON at position 25\b/)],
    ] as const) {
      const res = await query('application/json', body);
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(text).not.toContain('sk-');
      expect(JSON.parse(text)).toEqual({
        errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST', originalError: { name: 'SyntaxError', message: reason } } }],
      });
    }
  });

  it('a CSRF refusal reads the body it refused and keeps the connection', async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'Coder-Session-Token': users.member.token, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { createChat(input: { title: "csrf" }) { id } }' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('connection')).not.toBe('close');
    expect(await res.json()).toEqual({ errors: [{ message: 'Required CSRF header(s) not present', extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});
