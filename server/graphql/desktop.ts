import type { DesktopAvailability } from '../desktop/service.ts';
import { requireActor } from './actor.ts';
import { builder } from './builder.ts';

export const DesktopAvailabilityRef = builder.objectRef<DesktopAvailability>('DesktopAvailability').implement({
  description: 'Whether agents can drive a virtual desktop, and why not when they cannot.',
  fields: (t) => ({
    available: t.exposeBoolean('available', { nullable: false }),
    code: t.string({
      description: 'DESKTOP_DISABLED, PROVIDER_UNREADABLE, NO_API_KEY, MODULE_MISSING or PLAN_MODE; null when available.',
      resolve: (a) => a.code ?? null,
    }),
    reason: t.string({ resolve: (a) => a.reason ?? null }),
    provider: t.exposeString('provider', { nullable: false }),
    model: t.exposeString('model', { nullable: false, description: 'The fixed computer-use model of the provider.' }),
  }),
});

interface DesktopSettings {
  enableDesktop: boolean;
}

export const DesktopSettingsRef = builder.objectRef<DesktopSettings>('DesktopSettings').implement({
  fields: (t) => ({
    enableDesktop: t.exposeBoolean('enableDesktop', { nullable: false }),
    // Read on its own: an unreadable stored provider fails this field only, not `availability`,
    // which reports it as PROVIDER_UNREADABLE.
    computerUseProvider: t.string({
      nullable: false,
      resolve: (_s, _a, context) => context.services.settings.getComputerUseProvider(requireActor(context)),
    }),
    availability: t.field({
      type: DesktopAvailabilityRef,
      nullable: false,
      description: 'Deployment-wide: the checks that do not depend on a chat.',
      resolve: (_s, _a, context) => context.services.desktop.deploymentAvailability(requireActor(context)),
    }),
  }),
});

async function loadDesktopSettings(context: Parameters<typeof requireActor>[0]): Promise<DesktopSettings> {
  return { enableDesktop: await context.services.settings.getDesktopEnabled(requireActor(context)) };
}

builder.queryFields((t) => ({
  desktopSettings: t.field({
    type: DesktopSettingsRef,
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => loadDesktopSettings(context),
  }),
}));

builder.mutationFields((t) => ({
  setDesktopEnabled: t.field({
    type: DesktopSettingsRef,
    authScopes: { deploymentAdmin: true },
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, context) => {
      await context.services.settings.setDesktopEnabled(requireActor(context), () => ({ enable_desktop: args.enabled }));
      return loadDesktopSettings(context);
    },
  }),
  setComputerUseProvider: t.field({
    type: DesktopSettingsRef,
    authScopes: { deploymentAdmin: true },
    args: { provider: t.arg.string({ required: true, description: '"anthropic" or "openai".' }) },
    resolve: async (_root, args, context) => {
      await context.services.settings.setComputerUseProvider(requireActor(context), () => ({ provider: args.provider }));
      return loadDesktopSettings(context);
    },
  }),
}));
