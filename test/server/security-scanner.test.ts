// Scanner-style bad input (product.md 5 "Hardening", stack.md 4): every case is refused cleanly
// (a precise status and whole body, nothing executed), and the server keeps serving other
// clients: after each case a normal authenticated query still succeeds.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOO_LARGE_BODY, expectBadJson, expectForbidden, expectJson } from '../support/assertions.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const MIB = 1024 * 1024;
const GRAPHQL_JSON = { 'Content-Type': 'application/json' };
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Armor's rejections (HTTP 200, no data). */
const armor = (message: string) => ({ errors: [{ message: `Syntax Error: ${message}`, extensions: { code: 'BAD_USER_INPUT' } }] });
const depthExceeded = (found: number) => armor(`Query depth limit of 6 exceeded, found ${found}.`);

/** `{ chat { owner { a { b { c { d { e { f } } } } } } } }`: depth 8 (the fields past `owner` do not exist). */
const deepSelection = (chatId: string) => `chat(id: "${chatId}") { owner { a { b { c { d { e { f } } } } } } }`;

/** Whole JSON body and status (GraphQL answers are compact JSON without a trailing newline). */
function expectGraphQL(res: ApiResponse, status: number, body: unknown): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.body).toEqual(body);
}

describe('scanner-style bad input (production mode)', () => {
  let server: TestServer;
  let users: Users;
  let chatId: string;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    users = await createUsers(server.api);
    chatId = await createChat(server.api, users.member.token, { title: 'Scanned' });
  });
  afterAll(async () => server?.close());

  // The server keeps serving: a normal signed-in query (and a REST read) after every case.
  afterEach(async () => {
    const res = await server.api.graphql(`query { me { username } chat(id: "${chatId}") { title } }`, {}, users.member.token);
    expectGraphQL(res, 200, { data: { me: { username: 'member' }, chat: { title: 'Scanned' } } });
    const rest = await server.api.get('/api/v2/users/me', { token: users.member.token });
    expect(rest.status, rest.text).toBe(200);
  });

  const gql = (query: string, variables: Record<string, unknown> = {}) => server.api.graphql(query, variables, users.member.token);
  const post = (body: unknown, headers: Record<string, string> = GRAPHQL_JSON) => server.api.request('POST', '/graphql', { token: users.member.token, body, headers });
  const rawPost = async (path: string, body: Buffer, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const response = await fetch(server.url + path, { method: 'POST', headers: { 'Coder-Session-Token': users.member.token, ...headers }, body: new Uint8Array(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
  };

  describe('query shape limits (armor)', () => {
    it('refuses deep nesting with the depth limit message', async () => {
      expectGraphQL(await gql(`query { ${deepSelection(chatId)} }`), 200, depthExceeded(8));
      // Depth 6 is within the limit: it fails validation on the unknown fields instead, not on depth.
      const six = await gql(`query { chat(id: "${chatId}") { owner { a { b { c { d } } } } } }`);
      expect(six.body.errors[0].message).toBe('Cannot query field "a" on type "User".');
    });

    it('refuses an operation named __schema at depth 8 (the name does not exempt it)', async () => {
      expectGraphQL(await gql(`query __schema { ${deepSelection(chatId)} }`), 200, depthExceeded(8));
    });

    it('refuses a deep fragment named __schema', async () => {
      expectGraphQL(await gql(`query { ...__schema } fragment __schema on Query { ${deepSelection(chatId)} }`), 200, depthExceeded(10));
    });

    it('refuses a fragment used shallowly first and reused deeper', async () => {
      const query = `query { me { ...F } chat(id: "${chatId}") { owner { x { y { ...F } } } } } fragment F on User { a { b { c } } }`;
      expectGraphQL(await gql(query), 200, depthExceeded(9));
    });

    it('refuses alias overloading, __typename included (no allow-list)', async () => {
      const aliases = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
      expectGraphQL(await gql(`query { ${aliases(16, 'me { username }')} }`), 200, armor('Aliases limit of 15 exceeded, found 16.'));
      expectGraphQL(await gql(`query { ${aliases(101, '__typename')} }`), 200, armor('Aliases limit of 15 exceeded, found 101.'));
    });

    it('refuses directive overloading', async () => {
      const directives = '@include(if: true) '.repeat(6);
      expectGraphQL(await gql(`query { me ${directives}{ username } }`), 200, armor('Directives limit of 5 exceeded, found 6.'));
      expectGraphQL(await gql(`query { __typename ${'@skip(if: false) '.repeat(10)} }`), 200, armor('Directives limit of 5 exceeded, found 10.'));
    });

    it('refuses 1001 tokens', async () => {
      // `{ me { username×996 } }` is 1001 tokens: refused while parsing, before anything else.
      const res = await gql(`{ me { ${'username '.repeat(996)}} }`);
      expectGraphQL(res, 200, { errors: [{ message: 'Syntax Error: Token limit of 1000 exceeded.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    });

    it('refuses field duplication', async () => {
      const res = await gql(`query cop { ${'__typename '.repeat(500)}}`);
      expectGraphQL(res, 200, {
        errors: [
          {
            message: 'Field duplication limit of 10 exceeded: "__typename" is selected 500 times.',
            locations: [{ line: 1, column: 11 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      // Through fragment spreads and inline fragments too.
      const spreads = await gql(`query { me { ${'...U '.repeat(11)}} } fragment U on User { username }`);
      expect(spreads.body).toEqual({
        errors: [
          {
            message: 'Field duplication limit of 10 exceeded: "...U" is selected 11 times.',
            locations: [{ line: 1, column: 12 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      const inline = await gql(`query { me { ${'... on User { id } '.repeat(11)}} }`);
      expect(inline.body.errors.map((e: { message: string }) => e.message)).toEqual(['Field duplication limit of 10 exceeded: "id" is selected 11 times.']);
      // A few repeats (as fragments sharing fields produce) are fine.
      expectGraphQL(await gql('query { me { username username ... on User { username } } }'), 200, { data: { me: { username: 'member' } } });
    });

    it('refuses circular fragments', async () => {
      const res = await gql('query { me { ...A } } fragment A on User { ...B } fragment B on User { ...A }');
      expectGraphQL(res, 200, {
        errors: [
          {
            message: 'Cannot spread fragment "A" within itself via "B".',
            locations: [
              { line: 1, column: 44 },
              { line: 1, column: 72 },
            ],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
    });

    it('refuses introspection in production mode, and hides field suggestions', async () => {
      const schema = await gql('{ __schema { queryType { name } } }');
      expectGraphQL(schema, 200, {
        errors: [
          {
            message: 'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
            locations: [{ line: 1, column: 3 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
          {
            message: 'GraphQL introspection has been disabled, but the requested query contained the field "queryType".',
            locations: [{ line: 1, column: 14 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      const type = await gql('{ __type(name: "Chat") { name } }');
      expect(type.body.errors.map((e: { message: string }) => e.message)).toEqual([
        'GraphQL introspection has been disabled, but the requested query contained the field "__type".',
      ]);
      expect(type.body.data).toBeUndefined();

      // No "Did you mean …?" anywhere: fields, arguments, types, and enum values coerced from variables.
      expectGraphQL(await gql('{ me { usernam } }'), 200, {
        errors: [{ message: 'Cannot query field "usernam" on type "User". [Suggestion hidden]', locations: [{ line: 1, column: 8 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
      const argument = await gql(`{ chat(idd: "${chatId}") { id } }`);
      expect(argument.body.errors[0].message).toBe('Unknown argument "idd" on field "Query.chat". [Suggestion hidden]');
      const enumValue = await gql('mutation ($role: ChatRole!) { setChatShare(chatId: "' + chatId + '", userId: "' + users.member2.id + '", role: $role) { id } }', { role: 'REED' });
      expectGraphQL(enumValue, 200, {
        errors: [{ message: 'Value "REED" does not exist in "ChatRole" enum. [Suggestion hidden]', locations: [{ line: 1, column: 11 }], extensions: { code: 'BAD_USER_INPUT' } }],
      });
      expect(JSON.stringify([argument.body, enumValue.body])).not.toContain('Did you mean');
    });
  });

  describe('HTTP transport', () => {
    it('refuses batched queries (array body) with 400', async () => {
      const res = await post([{ query: '{ me { id } }' }, { query: '{ me { username } }' }]);
      expectGraphQL(res, 400, { errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } }] });
    });

    it('refuses GET queries and GET mutations with 405, executing nothing', async () => {
      const chatsBefore = await server.db.prisma.chat.count();
      for (const query of ['{ me { id } }', 'mutation { createChat(input: { title: "via GET" }) { id } }']) {
        const res = await server.api.get(`/graphql?query=${encodeURIComponent(query)}`, { token: users.member.token });
        expectGraphQL(res, 405, { errors: [{ message: 'GraphQL requests must use POST.' }] });
        expect(res.headers.get('allow')).toBe('POST');
      }
      expect(await server.db.prisma.chat.count()).toBe(chatsBefore);
    });

    it('refuses malformed JSON with 400 "POST body sent invalid JSON."', async () => {
      // originalError quotes the parser (V8's wording, not ours); the rest is fixed.
      const res = await post('{"query": "{ me { id } }"');
      expectGraphQL(res, 400, {
        errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST', originalError: { name: 'SyntaxError', message: expect.any(String) } } }],
      });
    });

    it('refuses bodies over 4 MiB with 413, on GraphQL and on REST', async () => {
      const big = JSON.stringify({ query: '{ me { id } }', variables: { x: 'x'.repeat(4 * MIB) } });
      expectGraphQL(await post(big), 413, {
        errors: [{ message: 'Request body too large.', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', detail: 'Request bodies are limited to 4194304 bytes.' } }],
      });
      const rest = await server.api.post('/api/experimental/chats', { token: users.member.token, body: JSON.stringify({ title: 'x'.repeat(4 * MIB) }) });
      expectJson(rest, 413, TOO_LARGE_BODY);
      // Streamed without a Content-Length: capped while reading, not after.
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ me { id } }","variables":{"x":"'));
        },
        pull(controller) {
          if (sent++ < 80) controller.enqueue(chunk); // 5 MiB
          else controller.close();
        },
      });
      const streamed = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'Coder-Session-Token': users.member.token, ...GRAPHQL_JSON },
        body: stream,
        duplex: 'half',
      } as RequestInit).catch((error: Error) => error);
      if (streamed instanceof Error) {
        // The server may answer and close before the client has finished sending.
        expect((streamed.cause as NodeJS.ErrnoException | undefined)?.code ?? streamed.message).toMatch(/EPIPE|ECONNRESET|other side closed|fetch failed/);
      } else {
        expect(streamed.status).toBe(413);
        expect(await streamed.json()).toEqual({ errors: [{ message: 'Request body too large.', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', detail: 'Request bodies are limited to 4194304 bytes.' } }] });
      }
    });

    it('refuses bodies that are not UTF-8 (400), on GraphQL and on REST, storing nothing', async () => {
      const chatsBefore = await server.db.prisma.chat.count();
      const invalid = Buffer.from([0xc3, 0x28]); // a lead byte without its continuation
      const gqlBody = Buffer.concat([Buffer.from('{"query":"mutation ($t: String) { createChat(input: { title: $t }) { id } }","variables":{"t":"'), invalid, Buffer.from('"}}')]);
      expectGraphQL(await rawPost('/graphql', gqlBody, GRAPHQL_JSON), 400, { errors: [{ message: 'POST body is not valid UTF-8.', extensions: { code: 'BAD_REQUEST' } }] });
      const restBody = Buffer.concat([Buffer.from('{"title":"'), invalid, Buffer.from('"}')]);
      const rest = await rawPost('/api/experimental/chats', restBody);
      expectBadJson(rest);
      expect(rest.body.detail).toBe('invalid UTF-8 in request body');
      expect(await server.db.prisma.chat.count()).toBe(chatsBefore);
    });

    it('refuses an unknown operation name', async () => {
      const res = await post({ query: 'query A { me { id } }', operationName: 'B' });
      expectGraphQL(res, 400, { errors: [{ message: 'Could not determine what operation to execute.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
    });

    it('refuses form-encoded, text/plain and multipart POSTs without the CSRF header (403), executing nothing', async () => {
      const chatsBefore = await server.db.prisma.chat.count();
      const mutation = 'mutation { createChat(input: { title: "csrf" }) { id } }';
      const csrf = { errors: [{ message: 'Required CSRF header(s) not present', extensions: { code: 'BAD_USER_INPUT' } }] };
      const forms: [string, string][] = [
        ['application/x-www-form-urlencoded', `query=${encodeURIComponent(mutation)}`],
        ['text/plain', JSON.stringify({ query: mutation })],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: mutation })}\r\n--x--\r\n`],
      ];
      for (const [type, body] of forms) expectGraphQL(await post(body, { 'Content-Type': type }), 403, csrf);
      // With the cookie only, as a cross-site form would send it.
      const cookie = await server.api.request('POST', '/graphql', {
        body: `query=${encodeURIComponent(mutation)}`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `coder_session_token=${users.member.token}` },
      });
      expectGraphQL(cookie, 403, csrf);
      // File uploads are off altogether: multipart is unsupported even with the header.
      const multipart = await post(forms[2][1], { 'Content-Type': forms[2][0], 'x-graphql-yoga-csrf': '1' });
      expect(multipart.status).toBe(415);
      expect(await server.db.prisma.chat.count()).toBe(chatsBefore);
    });

    it('refuses a cross-site write to REST (foreign or null Origin: 403), the sign-in included', async () => {
      const chatsBefore = await server.db.prisma.chat.count();
      for (const origin of ['https://evil.example', 'null']) {
        const write = await server.api.post('/api/experimental/chats', {
          body: JSON.stringify({ title: 'csrf' }),
          headers: { Origin: origin, 'Content-Type': 'text/plain', Cookie: `coder_session_token=${users.member.token}` },
        });
        expectForbidden(write);
        const signIn = await server.api.post('/api/v2/users/login', { body: { email: 'member@example.com', password: 'correct-horse-battery' }, headers: { Origin: origin } });
        expectForbidden(signIn);
        expect(signIn.headers.getSetCookie()).toEqual([]);
      }
      expect(await server.db.prisma.chat.count()).toBe(chatsBefore);
      // The same origin, and scripts that send no Origin, may write; reads are not affected.
      const same = await server.api.post('/api/experimental/chats', { token: users.member.token, body: { title: 'same origin' }, headers: { Origin: new URL(server.url).origin } });
      expect(same.status, same.text).toBe(201);
      const read = await server.api.get('/api/v2/users/me', { token: users.member.token, headers: { Origin: 'https://evil.example' } });
      expect(read.status).toBe(200);
      await server.api.delete(`/api/experimental/chats/${same.body.id}`, { token: users.member.token });
    });

    it('refuses subscriptions over HTTP (plain or event-stream): they are served over the WebSocket only', async () => {
      const refused = { errors: [{ message: 'Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql.', extensions: { code: 'BAD_REQUEST' } }] };
      expectGraphQL(await post({ query: 'subscription { experimentsChanged { id } }' }), 400, refused);
      const sse = await server.api.request('POST', '/graphql', {
        token: users.member.token,
        body: { query: `subscription { chatDebugEvents(chatId: "${chatId}") { cursor } }` },
        headers: { ...GRAPHQL_JSON, Accept: 'text/event-stream' },
      });
      expect(sse.status).toBe(400);
      expect(sse.text).toBe(`:\n\nevent: next\ndata: ${JSON.stringify(refused)}\n\nevent: complete\ndata:\n\n`);
    });

    it('grants no cross-origin access: no CORS headers, preflight refused', async () => {
      const preflight = await server.api.request('OPTIONS', '/graphql', {
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      expect(preflight.status).toBe(405);
      const cross = await post({ query: '{ me { username } }' }, { ...GRAPHQL_JSON, Origin: 'https://evil.example' });
      for (const res of [preflight, cross]) {
        expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
      }
    });

    it('masks internal errors over HTTP: "Unexpected error.", nothing of the cause', async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      await server.db.prisma.siteSetting.upsert({ where: { key: 'advisor' }, create: { key: 'advisor', value: '"corrupt"' }, update: { value: '"corrupt"' } });
      try {
        const res = await gql('{ advisorConfig { enabled } }');
        expectGraphQL(res, 200, {
          errors: [{ message: 'Unexpected error.', locations: [{ line: 1, column: 3 }], path: ['advisorConfig'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          data: { advisorConfig: null },
        });
      } finally {
        await server.db.prisma.siteSetting.delete({ where: { key: 'advisor' } });
        quiet.mockRestore();
      }
    });

    it('sends security headers on the web app, REST, GraphQL and health answers', async () => {
      const base = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' };
      const headersOf = (res: ApiResponse) => Object.fromEntries(['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'].map((h) => [h, res.headers.get(h)]));
      for (const res of [
        await server.api.get('/api/v2/users/me', { token: users.member.token }),
        await server.api.get('/api/experimental/chats/nope/nothing'),
        await gql('{ me { id } }'),
        await server.api.get('/graphql'),
        await server.api.get('/healthz'),
      ]) {
        expect(headersOf(res)).toEqual({ ...base, 'content-security-policy': API_CSP });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      for (const path of ['/', '/agents/some-chat', '/login']) {
        const page = await server.api.get(path);
        expect(headersOf(page)).toEqual({ ...base, 'content-security-policy': WEB_CSP });
      }
    });
  });

  describe('WebSocket transport', () => {
    let sockets: RawSocket[] = [];
    afterEach(() => {
      for (const socket of sockets) socket.close();
      sockets = [];
    });
    const open = (headers?: Record<string, string>) => {
      const socket = new RawSocket(server.url, headers);
      sockets.push(socket);
      return socket;
    };
    const subscribeFrame = (id: string, query: string) => ({ id, type: 'subscribe', payload: { query } });

    it('refuses a depth-8 subscription with the depth limit message; the socket stays usable', async () => {
      const socket = await open().init(users.member.token);
      socket.send(subscribeFrame('deep', `subscription { chatDebugEvents(chatId: "${chatId}") { run { a { b { c { d { e { f } } } } } } } }`));
      expect(await socket.waitFor((m) => m.id === 'deep', 'the error')).toEqual({ id: 'deep', type: 'error', payload: depthExceeded(8).errors });
      socket.send(subscribeFrame('ok', '{ me { username } }'));
      expect(await socket.waitFor((m) => m.id === 'ok' && m.type === 'next', 'the result')).toEqual({ id: 'ok', type: 'next', payload: { data: { me: { username: 'member' } } } });
      expect(socket.closed).toBeUndefined();
    });

    it('applies the token limit, field duplication, introspection and hidden suggestions over WS too', async () => {
      const socket = await open().init(users.member.token);
      const answer = async (id: string, query: string) => {
        socket.send(subscribeFrame(id, query));
        return socket.waitFor((m) => m.id === id, `the answer to ${id}`);
      };
      expect(await answer('tokens', `{ me { ${'username '.repeat(996)}} }`)).toEqual({
        id: 'tokens',
        type: 'error',
        payload: [{ message: 'Syntax Error: Token limit of 1000 exceeded.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }],
      });
      expect(await answer('dup', `{ ${'__typename '.repeat(50)}}`)).toEqual({
        id: 'dup',
        type: 'error',
        payload: [{ message: 'Field duplication limit of 10 exceeded: "__typename" is selected 50 times.', locations: [{ line: 1, column: 1 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
      expect(await answer('suggest', '{ me { usernam } }')).toEqual({
        id: 'suggest',
        type: 'error',
        payload: [{ message: 'Cannot query field "usernam" on type "User". [Suggestion hidden]', locations: [{ line: 1, column: 8 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
      });
      expect(await answer('intro', '{ __type(name: "Chat") { name } }')).toEqual({
        id: 'intro',
        type: 'error',
        payload: [
          {
            message: 'GraphQL introspection has been disabled, but the requested query contained the field "__type".',
            locations: [{ line: 1, column: 3 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      expect(socket.closed).toBeUndefined();
    });

    it('masks internal errors over WS', async () => {
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      await server.db.prisma.siteSetting.upsert({ where: { key: 'advisor' }, create: { key: 'advisor', value: '"corrupt"' }, update: { value: '"corrupt"' } });
      try {
        const socket = await open().init(users.member.token);
        socket.send(subscribeFrame('q', '{ advisorConfig { enabled } }'));
        expect(await socket.waitFor((m) => m.id === 'q' && m.type === 'next', 'the result')).toEqual({
          id: 'q',
          type: 'next',
          payload: {
            errors: [{ message: 'Unexpected error.', locations: [{ line: 1, column: 3 }], path: ['advisorConfig'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
            data: { advisorConfig: null },
          },
        });
      } finally {
        await server.db.prisma.siteSetting.delete({ where: { key: 'advisor' } });
        quiet.mockRestore();
      }
    });

    it('closes with 4400 on a frame that is not JSON', async () => {
      const socket = await open().init(users.member.token);
      socket.send('this is not json');
      expect(await socket.waitClosed()).toEqual({ code: 4400, reason: expect.any(String) });
    });

    it('closes with 4400 on an unknown message type', async () => {
      const socket = await open().init(users.member.token);
      socket.send({ type: 'gimme', id: '1' });
      expect((await socket.waitClosed()).code).toBe(4400);
    });

    it('closes with 4401 on subscribe before connection_init', async () => {
      const socket = await open().ready();
      socket.send(subscribeFrame('1', '{ me { id } }'));
      expect(await socket.waitClosed()).toEqual({ code: 4401, reason: 'Unauthorized' });
      expect(socket.messages).toEqual([]);
    });

    it('closes with 4429 on a second connection_init', async () => {
      const socket = await open().init(users.member.token);
      socket.send({ type: 'connection_init', payload: { sessionToken: users.member.token } });
      expect(await socket.waitClosed()).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
    });

    it('closes with 4409 on a duplicate subscription id', async () => {
      const socket = await open().init(users.member.token);
      socket.send(subscribeFrame('same', 'subscription { experimentsChanged { id } }'));
      await socket.waitFor((m) => m.id === 'same' && m.type === 'next', 'the first result');
      socket.send(subscribeFrame('same', 'subscription { experimentsChanged { id } }'));
      expect(await socket.waitClosed()).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
    });

    it('closes with 4408 when no connection_init arrives within 3 s', async () => {
      const socket = await open().ready();
      expect(await socket.waitClosed(10_000)).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    });

    it('closes with 1009 on a frame over 1 MiB', async () => {
      vi.spyOn(console, 'error').mockImplementation(() => {}); // graphql-ws reports the socket error
      const socket = await open().init(users.member.token);
      socket.send(JSON.stringify(subscribeFrame('big', `{ me { id } } # ${'x'.repeat(MIB)}`)));
      expect((await socket.waitClosed()).code).toBe(1009);
      vi.restoreAllMocks();
    });

    it('survives garbled upgrade requests (bad target, path elsewhere, no key)', async () => {
      const { port } = new URL(server.url);
      const raw = (request: string) =>
        new Promise<string>((resolve) => {
          const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', () => resolve(text));
          socket.setTimeout(5000, () => socket.destroy());
        });
      const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n';
      const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
      expect(await raw(`GET http://[/graphql HTTP/1.1\r\nHost: x\r\n${upgrade}${key}\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
      expect(await raw(`GET /elsewhere HTTP/1.1\r\nHost: x\r\n${upgrade}${key}\r\n`)).toMatch(/^HTTP\/1\.1 404 /);
      expect(await raw(`GET /graphql HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
      // The same target on a plain request: 400, not a 500.
      const plain = await raw('GET http://[/api/v2/users/me HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(plain).toMatch(/^HTTP\/1\.1 400 /);
      expect(plain).toContain('{"message":"Invalid request target."}');
    });

    it('refuses an upgrade from a foreign, null or garbled Origin (403); accepts its own origin', async () => {
      for (const origin of ['https://evil.example', 'null', 'http://[', `${new URL(server.url).origin}.evil.example`]) {
        const socket = await open({ Origin: origin }).ready();
        expect(socket.refused, origin).toBe(403);
      }
      const own = await open({ Origin: new URL(server.url).origin }).init(users.member.token);
      expect(own.closed).toBeUndefined();
    });
  });
});

describe('development mode (--dev)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer('pglite', { args: ['--dev'] });
    token = (await createUsers(server.api)).member.token;
  });
  afterAll(async () => server?.close());

  it('allows introspection and shows field suggestions; the other limits stay', async () => {
    expectGraphQL(await server.api.graphql('{ __schema { queryType { name } } }', {}, token), 200, { data: { __schema: { queryType: { name: 'Query' } } } });
    const suggest = await server.api.graphql('{ me { usernam } }', {}, token);
    expect(suggest.body.errors[0].message).toBe('Cannot query field "usernam" on type "User". Did you mean "username"?');
    const deep = await server.api.graphql('{ me { a { b { c { d { e { f { g } } } } } } } }', {}, token);
    expect(deep.body).toEqual(depthExceeded(8));
  });
});
