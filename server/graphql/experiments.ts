import type { Actor } from '../auth/actor.ts';
import type { Services } from '../services.ts';
import { SETTINGS_TOPIC, changeSignals } from '../events/iterate.ts';
import { requireActor } from './actor.ts';
import { builder } from './builder.ts';

const ExperimentIdEnum = builder.enumType('ExperimentId', { values: ['VIRTUAL_DESKTOP', 'ADVISOR', 'DEBUG_LOGGING'] as const });

interface Experiment {
  id: 'VIRTUAL_DESKTOP' | 'ADVISOR' | 'DEBUG_LOGGING';
  name: string;
  description: string;
  enabled: boolean;
  available: boolean;
  state: string;
  reason: string | null;
}

const ExperimentRef = builder.objectRef<Experiment>('Experiment').implement({
  fields: (t) => ({
    id: t.field({ type: ExperimentIdEnum, nullable: false, resolve: (e) => e.id }),
    name: t.exposeString('name', { nullable: false }),
    description: t.exposeString('description', { nullable: false }),
    enabled: t.exposeBoolean('enabled', { nullable: false, description: 'Whether the experiment is switched on for the caller.' }),
    available: t.exposeBoolean('available', { nullable: false, description: 'Whether it takes effect now, all conditions considered.' }),
    state: t.exposeString('state', {
      nullable: false,
      description: 'ON, OFF, FORCED_ON (deployment override), NOT_ALLOWED (admin gate closed) or UNAVAILABLE (on, but a requirement is missing).',
    }),
    reason: t.string({ description: 'Why it is not available, when it is not.', resolve: (e) => e.reason }),
  }),
});

async function listExperiments(actor: Actor, services: Services): Promise<Experiment[]> {
  const [desktop, advisor, debug] = await Promise.all([
    services.desktop.deploymentAvailability(actor),
    services.advisor.getConfig(actor),
    services.settings.getUserDebugLogging(actor),
  ]);
  const desktopOn = desktop.code !== 'DESKTOP_DISABLED';
  return [
    {
      id: 'VIRTUAL_DESKTOP',
      name: 'Virtual desktop',
      description: 'Lets agents drive a graphical desktop inside the workspace (screenshots, mouse, keyboard).',
      enabled: desktopOn,
      available: desktop.available,
      state: desktop.available ? 'ON' : desktopOn ? 'UNAVAILABLE' : 'OFF',
      reason: desktop.reason ?? null,
    },
    {
      id: 'ADVISOR',
      name: 'Advisor',
      description: 'Lets a root agent pause its turn and ask a separate model for strategic guidance.',
      enabled: advisor.enabled,
      available: advisor.enabled,
      state: advisor.enabled ? 'ON' : 'OFF',
      reason: advisor.enabled ? null : 'The advisor is disabled.',
    },
    {
      id: 'DEBUG_LOGGING',
      name: 'Chat debug logging',
      description: 'Records each model call of your chats as debug runs and steps you can inspect and export.',
      enabled: debug.debugLoggingEnabled,
      available: debug.debugLoggingEnabled,
      state: debug.forcedByDeployment ? 'FORCED_ON' : !debug.userToggleAllowed ? 'NOT_ALLOWED' : debug.debugLoggingEnabled ? 'ON' : 'OFF',
      reason: debug.debugLoggingEnabled
        ? null
        : debug.userToggleAllowed
          ? 'You have not turned on debug logging for your chats.'
          : 'An administrator has not enabled user-controlled chat debug logging.',
    },
  ];
}

builder.queryFields((t) => ({
  experiments: t.field({
    type: [ExperimentRef],
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => listExperiments(requireActor(context), context.services),
  }),
}));

builder.subscriptionFields((t) => ({
  experimentsChanged: t.field({
    type: [ExperimentRef],
    description: "Emits the caller's experiments now and again whenever a setting that affects them changes.",
    authScopes: { signedIn: true },
    subscribe: async function* (_root, _args, context) {
      const actor = requireActor(context);
      const signals = changeSignals(context.services.deps.events, [SETTINGS_TOPIC], (p) => p.userId === null || p.userId === actor.userId);
      try {
        yield listExperiments(actor, context.services);
        for await (const _ of signals) yield listExperiments(actor, context.services);
      } finally {
        await signals.return?.();
      }
    },
    resolve: (experiments) => experiments,
  }),
}));
