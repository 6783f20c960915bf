import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import { createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('server on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());

  it('serves the caller through REST and GraphQL', async () => {
    const me = await server.api.get('/api/v2/users/me', { token: users.member.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'member', role: 'member', roles: [] });
    const gql = await server.api.graphql('{ me { username role } }', {}, users.owner.token);
    expect(gql.body).toEqual({ data: { me: { username: 'owner', role: 'OWNER' } } });
  });
});
