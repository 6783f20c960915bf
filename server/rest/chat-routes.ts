import { decodeBody, decodePartial } from './decode.ts';
import { json, noContent } from './http.ts';
import { namedUuid, pathUuid } from './params.ts';
import type { Route } from './router.ts';
import { chatJson, modelConfigJson, providerJson } from './shapes.ts';

const CHATS = '/api/experimental/chats';
const modelConfigId = namedUuid('Invalid chat model config ID.');
const useId = namedUuid('Invalid advisor use ID.');
const planMode = (query: URLSearchParams) => ['true', '1'].includes((query.get('plan_mode') ?? '').toLowerCase());

export const chatRoutes: Route[] = [
  {
    method: 'POST',
    path: CHATS,
    handle: async ({ actor, services, body }) => {
      const chat = await services.chats.create(actor, async () =>
        decodeBody(await body(), { title: 'string', parent_chat_id: 'uuid', model_config_id: 'uuid', workspace_template_modules: 'stringArray' }),
      );
      return json(201, chatJson(chat));
    },
  },
  {
    method: 'GET',
    path: CHATS,
    handle: async ({ actor, services }) => json(200, (await services.chats.list(actor)).map(chatJson)),
  },
  {
    method: 'GET',
    path: `${CHATS}/:chat`,
    handle: async ({ actor, services, params }) => json(200, chatJson(await services.chats.getReadable(actor, pathUuid(params.chat)))),
  },
  {
    method: 'PATCH',
    path: `${CHATS}/:chat`,
    handle: async ({ actor, services, params, body }) => {
      const chat = await services.chats.update(actor, pathUuid(params.chat), async () => decodePartial(await body(), { title: 'string', archived: 'boolean' }));
      return json(200, chatJson(chat));
    },
  },
  {
    method: 'DELETE',
    path: `${CHATS}/:chat`,
    handle: async ({ actor, services, params }) => {
      await services.chats.delete(actor, pathUuid(params.chat));
      return noContent();
    },
  },
  {
    method: 'PATCH',
    path: `${CHATS}/:chat/acl`,
    handle: async ({ actor, services, params, body }) => {
      const chatId = pathUuid(params.chat);
      await services.chats.updateAcl(actor, chatId, async () => {
        const { user_roles } = decodeBody(await body(), { user_roles: 'stringMap' });
        // Keys are user ids: normalise them like every other UUID the API accepts.
        return Object.fromEntries(Object.entries(user_roles).map(([id, role]) => [namedUuid('Invalid user ID.')(id), role]));
      });
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CHATS}/:chat/acl`,
    handle: async ({ actor, services, params }) => {
      const acl = await services.chats.aclOf(actor, pathUuid(params.chat));
      return json(200, { user_roles: Object.fromEntries(acl.map((e) => [e.userId, e.role])) });
    },
  },
  {
    method: 'GET',
    path: `${CHATS}/:chat/desktop`,
    handle: async ({ actor, services, params, query }) => {
      const a = await services.desktop.chatAvailability(actor, pathUuid(params.chat), planMode(query));
      return json(200, { available: a.available, ...(a.reason ? { reason: a.reason } : {}), provider: a.provider, model: a.model });
    },
  },
  {
    method: 'GET',
    path: `${CHATS}/:chat/advisor`,
    handle: async ({ actor, services, params, query }) => {
      const runKey = query.get('run_key') ?? undefined;
      const r = await services.advisor.resolveForChat(actor, pathUuid(params.chat), { planMode: planMode(query), runKey });
      return json(200, {
        available: r.available,
        ...(r.reason ? { reason: r.reason } : {}),
        max_uses_per_run: r.maxUsesPerRun,
        ...(r.remainingUses !== undefined ? { remaining_uses: r.remainingUses } : {}),
        max_output_tokens: r.maxOutputTokens,
        model_config_id: r.modelConfigId,
        model: r.model,
        reasoning_effort: r.reasoningEffort,
      });
    },
  },
  {
    method: 'POST',
    path: `${CHATS}/:chat/advisor/uses`,
    handle: async ({ actor, services, params, body }) => {
      const grant = await services.advisor.reserveUse(actor, pathUuid(params.chat), async () => decodeBody(await body(), { run_key: 'string', plan_mode: 'boolean' }));
      return json(201, { use_id: grant.useId, ...(grant.remainingUses !== undefined ? { remaining_uses: grant.remainingUses } : {}) });
    },
  },
  {
    method: 'POST',
    path: `${CHATS}/:chat/advisor/uses/:use/refund`,
    handle: async ({ actor, services, params }) => {
      await services.advisor.refundUse(actor, pathUuid(params.chat), () => useId(params.use));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CHATS}/model-configs`,
    handle: async ({ actor, services }) => json(200, (await services.modelConfigs.list(actor)).map(modelConfigJson)),
  },
  {
    method: 'POST',
    path: `${CHATS}/model-configs`,
    handle: async ({ actor, services, body }) => {
      const created = await services.modelConfigs.create(actor, async () =>
        decodeBody(
          await body(),
          {
            provider: 'string',
            model: 'string',
            display_name: 'string',
            enabled: 'boolean',
            is_default: 'boolean',
            context_limit: 'int',
            // Not documented as int32 (rest-api.md 1.2, 8): a large value gets the range message, not a decode error.
            compression_threshold: 'int',
          },
          { enabled: true, compression_threshold: 70 },
        ),
      );
      return json(201, modelConfigJson(created));
    },
  },
  {
    method: 'DELETE',
    path: `${CHATS}/model-configs/:modelConfig`,
    handle: async ({ actor, services, params }) => {
      await services.modelConfigs.softDelete(actor, () => modelConfigId(params.modelConfig));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${CHATS}/providers`,
    handle: async ({ actor, services }) => json(200, (await services.providers.list(actor)).map(providerJson)),
  },
  {
    method: 'PUT',
    path: `${CHATS}/providers/:provider`,
    handle: async ({ actor, services, params, body }) => {
      await services.providers.setApiKey(actor, params.provider, async () => decodeBody(await body(), { api_key: 'string' }));
      return noContent();
    },
  },
];
