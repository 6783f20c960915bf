import { expect } from 'vitest';
import type { Api } from './server.ts';

export interface TestUser {
  id: string;
  email: string;
  username: string;
  token: string;
}

export interface Users {
  owner: TestUser;
  auditor: TestUser;
  member: TestUser;
  member2: TestUser;
}

export const PASSWORD = 'correct-horse-battery';

export async function login(api: Api, email: string, password = PASSWORD): Promise<string> {
  const response = await api.post('/api/v2/users/login', { body: { email, password } });
  expect(response.status, response.text).toBe(201);
  return response.body.session_token;
}

/** owner (first user) → auditor, member, member2, each signed in. */
export async function createUsers(api: Api): Promise<Users> {
  const first = await api.post('/api/v2/users/first', { body: { email: 'owner@example.com', username: 'owner', password: PASSWORD } });
  expect(first.status, first.text).toBe(201);
  const ownerToken = await login(api, 'owner@example.com');
  const make = async (username: string, role: string): Promise<TestUser> => {
    const email = `${username}@example.com`;
    const created = await api.post('/api/v2/users', { token: ownerToken, body: { email, username, password: PASSWORD, role } });
    expect(created.status, created.text).toBe(201);
    return { id: created.body.id, email, username, token: await login(api, email) };
  };
  return {
    owner: { id: first.body.id, email: 'owner@example.com', username: 'owner', token: ownerToken },
    auditor: await make('auditor', 'auditor'),
    member: await make('member', 'member'),
    member2: await make('member2', 'member'),
  };
}

export async function createChat(api: Api, token: string, body: Record<string, unknown> = {}): Promise<string> {
  const response = await api.post('/api/experimental/chats', { token, body: { title: 'A chat', ...body } });
  expect(response.status, response.text).toBe(201);
  return response.body.id;
}

/** Shares a chat for read; `''` removes the share. */
export async function share(api: Api, ownerToken: string, chatId: string, userId: string, role: 'read' | '' = 'read') {
  const response = await api.patch(`/api/experimental/chats/${chatId}/acl`, { token: ownerToken, body: { user_roles: { [userId]: role } } });
  expect(response.status, response.text).toBe(204);
}

export const SIGNED_OUT = 'You are signed out or your session has expired. Please sign in again to continue.';
export const NO_TOKEN = 'Cookie "coder_session_token" or query parameter must be provided.';
export const NOT_FOUND_BODY = { message: 'Resource not found or you do not have access to this resource' };
export const FORBIDDEN_BODY = {
  message: 'Forbidden.',
  detail: "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.",
};
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
