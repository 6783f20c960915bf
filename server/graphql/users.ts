import { canReadUserEmail } from '../auth/policy.ts';
import type { User } from '../generated/prisma/client.ts';
import { requireActor } from './actor.ts';
import { builder } from './builder.ts';

export const RoleEnum = builder.enumType('Role', {
  values: { OWNER: { value: 'owner' }, AUDITOR: { value: 'auditor' }, MEMBER: { value: 'member' } } as const,
});

export const UserRef = builder.objectRef<User>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    username: t.exposeString('username', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    email: t.string({
      description: 'Visible to the user and to site owners only.',
      authScopes: (user, _args, context) => context.actor !== null && canReadUserEmail(context.actor, user.id),
      unauthorizedResolver: () => null,
      resolve: (user) => user.email,
    }),
    role: t.field({ type: RoleEnum, nullable: false, resolve: (user) => user.role as 'owner' | 'auditor' | 'member' }),
    createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (user) => user.createdAt }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    description: 'The signed-in user; null when signed out.',
    resolve: (_root, _args, context) => (context.actor ? context.services.users.me(context.actor) : null),
  }),
  users: t.field({
    type: [UserRef],
    description: 'Every user (site owners only).',
    authScopes: { deploymentAdmin: true },
    resolve: (_root, _args, context) => context.services.users.listUsers(requireActor(context)),
  }),
}));
