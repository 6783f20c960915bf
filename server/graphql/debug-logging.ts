import type { DebugLoggingAdmin, UserDebugLogging } from '../settings/service.ts';
import { requireActor } from './actor.ts';
import { builder } from './builder.ts';
import { gqlError } from './errors.ts';
import { NOT_FOUND_MESSAGE } from '../errors.ts';

export const DebugLoggingAdminRef = builder.objectRef<DebugLoggingAdmin>('DebugLoggingAdminSettings').implement({
  fields: (t) => ({
    allowUsers: t.exposeBoolean('allowUsers', { nullable: false, description: 'The stored admin gate, reported even under the override.' }),
    forcedByDeployment: t.exposeBoolean('forcedByDeployment', { nullable: false }),
  }),
});

export const UserDebugLoggingRef = builder.objectRef<UserDebugLogging>('UserDebugLoggingSettings').implement({
  fields: (t) => ({
    debugLoggingEnabled: t.exposeBoolean('debugLoggingEnabled', { nullable: false }),
    userToggleAllowed: t.exposeBoolean('userToggleAllowed', { nullable: false }),
    forcedByDeployment: t.exposeBoolean('forcedByDeployment', { nullable: false }),
  }),
});

builder.queryFields((t) => ({
  debugLoggingAdminSettings: t.field({
    type: DebugLoggingAdminRef,
    description: 'The admin gate (owners and auditors; others get NOT_FOUND, as over REST).',
    authScopes: { deploymentReader: true },
    unauthorizedError: (_p, _args, context) =>
      context.actor ? gqlError('NOT_FOUND', NOT_FOUND_MESSAGE) : gqlError('UNAUTHENTICATED', 'You are signed out or your session has expired. Please sign in again to continue.'),
    resolve: (_root, _args, context) => context.services.settings.getDebugLoggingAdmin(requireActor(context)),
  }),
  myDebugLogging: t.field({
    type: UserDebugLoggingRef,
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.settings.getUserDebugLogging(requireActor(context)),
  }),
  debugRetentionDays: t.int({
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.settings.getDebugRetentionDays(requireActor(context)),
  }),
  retentionDays: t.int({
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.settings.getRetentionDays(requireActor(context)),
  }),
}));

builder.mutationFields((t) => ({
  setDebugLoggingAllowUsers: t.field({
    type: DebugLoggingAdminRef,
    authScopes: { deploymentAdmin: true },
    args: { allowUsers: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      await context.services.settings.setDebugLoggingAdmin(actor, () => ({ allow_users: args.allowUsers }));
      return context.services.settings.getDebugLoggingAdmin(actor);
    },
  }),
  setMyDebugLogging: t.field({
    type: UserDebugLoggingRef,
    authScopes: { signedIn: true },
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      await context.services.settings.setUserDebugLogging(actor, () => ({ debug_logging_enabled: args.enabled }));
      return context.services.settings.getUserDebugLogging(actor);
    },
  }),
  setDebugRetentionDays: t.int({
    authScopes: { deploymentAdmin: true },
    args: { days: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      await context.services.settings.setDebugRetentionDays(actor, () => ({ debug_retention_days: args.days }));
      return context.services.settings.getDebugRetentionDays(actor);
    },
  }),
  setRetentionDays: t.int({
    authScopes: { deploymentAdmin: true },
    args: { days: t.arg.int({ required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      await context.services.settings.setRetentionDays(actor, () => ({ retention_days: args.days }));
      return context.services.settings.getRetentionDays(actor);
    },
  }),
}));
