import { decodeBody } from './decode.ts';
import { json, noContent } from './http.ts';
import type { Route } from './router.ts';

const CONFIG = '/api/experimental/chats/config';

/** Experiments settings (rest-api.md sections 6, 7, 9, 10). Every rule is in the services. */
export const settingsRoutes: Route[] = [
  {
    method: 'GET',
    path: `${CONFIG}/desktop-enabled`,
    handle: async ({ actor, services }) => json(200, { enable_desktop: await services.settings.getDesktopEnabled(actor) }),
  },
  {
    method: 'PUT',
    path: `${CONFIG}/desktop-enabled`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setDesktopEnabled(actor, async () => decodeBody(await body(), { enable_desktop: 'boolean' }));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/computer-use-provider`,
    handle: async ({ actor, services }) => json(200, { provider: await services.settings.getComputerUseProvider(actor) }),
  },
  {
    method: 'PUT',
    path: `${CONFIG}/computer-use-provider`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setComputerUseProvider(actor, async () => decodeBody(await body(), { provider: 'string' }, {}, { onlyChosenStrings: true }));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/advisor`,
    handle: async ({ actor, services }) => json(200, await services.advisor.getConfig(actor)),
  },
  {
    method: 'PUT',
    path: `${CONFIG}/advisor`,
    handle: async ({ actor, services, body }) => {
      await services.advisor.setConfig(actor, async () =>
        decodeBody(await body(), {
          enabled: 'boolean',
          max_uses_per_run: 'int',
          max_output_tokens: 'int',
          model_config_id: 'uuid',
          reasoning_effort: 'string',
        }, {}, { onlyChosenStrings: true }),
      );
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/debug-logging`,
    handle: async ({ actor, services }) => {
      const admin = await services.settings.getDebugLoggingAdmin(actor);
      return json(200, { allow_users: admin.allowUsers, forced_by_deployment: admin.forcedByDeployment });
    },
  },
  {
    method: 'PUT',
    path: `${CONFIG}/debug-logging`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setDebugLoggingAdmin(actor, async () => decodeBody(await body(), { allow_users: 'boolean' }));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/user-debug-logging`,
    handle: async ({ actor, services }) => {
      const state = await services.settings.getUserDebugLogging(actor);
      return json(200, {
        debug_logging_enabled: state.debugLoggingEnabled,
        user_toggle_allowed: state.userToggleAllowed,
        forced_by_deployment: state.forcedByDeployment,
      });
    },
  },
  {
    method: 'PUT',
    path: `${CONFIG}/user-debug-logging`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setUserDebugLogging(actor, async () => decodeBody(await body(), { debug_logging_enabled: 'boolean' }));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/debug-retention-days`,
    handle: async ({ actor, services }) => json(200, { debug_retention_days: await services.settings.getDebugRetentionDays(actor) }),
  },
  {
    method: 'PUT',
    path: `${CONFIG}/debug-retention-days`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setDebugRetentionDays(actor, async () => decodeBody(await body(), { debug_retention_days: 'int32' }));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CONFIG}/retention-days`,
    handle: async ({ actor, services }) => json(200, { retention_days: await services.settings.getRetentionDays(actor) }),
  },
  {
    method: 'PUT',
    path: `${CONFIG}/retention-days`,
    handle: async ({ actor, services, body }) => {
      await services.settings.setRetentionDays(actor, async () => decodeBody(await body(), { retention_days: 'int32' }));
      return noContent();
    },
  },
];
