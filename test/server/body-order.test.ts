// rest-api.md 9.3/9.5 and 1.1: authorization and state checks answer before the body is read, so
// an oversized body from someone who may not write gets 403 or 409, not 413; an allowed one gets 413.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const HUGE = `{"enabled":true,"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`;
const TOO_LARGE = { message: 'Request body too large.', detail: 'Request bodies are limited to 4194304 bytes.' };
const FORCED = { message: 'Chat debug logging is already forced on by deployment configuration.' };
const CONFIG = '/api/experimental/chats/config';

describe.each(BACKENDS)('checks before the body on %s', (backend) => {
  let server: TestServer;
  let forced: TestServer;
  let users: Users;
  let forcedUsers: Users;
  beforeAll(async () => {
    server = await startTestServer(backend);
    forced = await startTestServer(backend, { args: ['--chat-debug-logging-enabled'] });
    users = await createUsers(server.api);
    forcedUsers = await createUsers(forced.api);
  });
  afterAll(async () => {
    await server?.close();
    await forced?.close();
  });

  it('a member’s oversized settings PUT gets 403, the owner’s gets 413, and nothing changes', async () => {
    const member = await server.api.put(`${CONFIG}/advisor`, { token: users.member.token, body: HUGE });
    expect(member.status).toBe(403);
    expect(member.text).toBe(`${JSON.stringify(FORBIDDEN_BODY)}\n`);
    const owner = await server.api.put(`${CONFIG}/advisor`, { token: users.owner.token, body: HUGE });
    expect(owner.status).toBe(413);
    expect(owner.text).toBe(`${JSON.stringify(TOO_LARGE)}\n`);
    expect((await server.api.get(`${CONFIG}/advisor`, { token: users.member.token })).body.enabled).toBe(false);
  });

  it('an oversized opt-in gets 403 while admins have not allowed it', async () => {
    const response = await server.api.put(`${CONFIG}/user-debug-logging`, { token: users.member.token, body: HUGE });
    expect(response.status).toBe(403);
    expect(response.text).toBe(`${JSON.stringify({ message: 'An administrator has not enabled user-controlled chat debug logging.' })}\n`);
  });

  it('under the deployment override both toggles answer 409 before reading an oversized body', async () => {
    const user = await forced.api.put(`${CONFIG}/user-debug-logging`, { token: forcedUsers.member.token, body: HUGE });
    expect(user.status).toBe(409);
    expect(user.text).toBe(`${JSON.stringify(FORCED)}\n`);
    const admin = await forced.api.put(`${CONFIG}/debug-logging`, { token: forcedUsers.owner.token, body: HUGE });
    expect(admin.status).toBe(409);
    expect(admin.text).toBe(`${JSON.stringify(FORCED)}\n`);
  });
});
