import { canReadUserEmail } from '../auth/policy.ts';
import { decodeBody } from './decode.ts';
import { SESSION_COOKIE, json } from './http.ts';
import type { Route } from './router.ts';
import { userJson } from './shapes.ts';

const USERS = '/api/v2/users';
const newUserSpec = { email: 'string', username: 'string', password: 'string', name: 'string', role: 'string' } as const;

function sessionCookie(token: string, expiresAt: Date | undefined, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  parts.push(expiresAt ? `Expires=${expiresAt.toUTCString()}` : 'Max-Age=0');
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export const userRoutes: Route[] = [
  {
    method: 'GET',
    path: `${USERS}/first`,
    public: true,
    handle: async ({ services }) =>
      (await services.users.hasAnyUser())
        ? json(200, { message: 'The initial user has already been created.' })
        : json(404, { message: 'The initial user has not been created!' }),
  },
  {
    method: 'POST',
    path: `${USERS}/first`,
    public: true,
    handle: async ({ services, body }) => {
      const input = decodeBody(await body(), newUserSpec);
      return json(201, userJson(await services.users.createFirstUser(input)));
    },
  },
  {
    method: 'POST',
    path: `${USERS}/login`,
    public: true,
    handle: async ({ services, body, req }) => {
      const { email, password } = decodeBody(await body(), { email: 'string', password: 'string' });
      const { token, expiresAt } = await services.users.login(email, password, req.socket.remoteAddress);
      return json(201, { session_token: token }, { 'Set-Cookie': sessionCookie(token, expiresAt, services.config.accessUrl?.startsWith('https:') ?? isTls(req)) });
    },
  },
  {
    method: 'POST',
    path: `${USERS}/logout`,
    handle: async ({ actor, services }) => {
      await services.users.logout(actor);
      return json(200, { message: 'Logged out!' }, { 'Set-Cookie': sessionCookie('', undefined, false) });
    },
  },
  {
    method: 'GET',
    path: `${USERS}/me`,
    handle: async ({ actor, services }) => json(200, userJson(await services.users.me(actor))),
  },
  {
    method: 'GET',
    path: USERS,
    handle: async ({ actor, services }) =>
      json(200, (await services.users.listUsers(actor)).map((u) => userJson(u, { showEmail: canReadUserEmail(actor, u.id) }))),
  },
  {
    method: 'POST',
    path: USERS,
    handle: async ({ actor, services, body }) => json(201, userJson(await services.users.createUser(actor, async () => decodeBody(await body(), newUserSpec)))),
  },
  {
    method: 'POST',
    path: `${USERS}/:user/keys`,
    handle: async ({ actor, services, params }) => json(201, { key: await services.users.createKey(actor, params.user) }),
  },
];

function isTls(req: { socket: unknown }): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted);
}
