import type { FieldType } from './decode.ts';
import { decodeObject, decodePartial, pickPartial, refuseNul } from './decode.ts';
import { json } from './http.ts';
import { namedUuid, pathUuid } from './params.ts';
import type { Route } from './router.ts';
import { runDetailJson, runSummaryJson, stepJsonText } from '../debug/wire.ts';

const RUNS = '/api/experimental/chats/:chat/debug/runs';
const runId = namedUuid('Invalid debug run ID.');
const stepId = namedUuid('Invalid debug step ID.');

/** Known keys of a write, typed; free-form payload keys are taken as raw JSON (null kept: it clears). */
function decodeWrite<S extends Record<string, FieldType>>(body: string, spec: S, payloadKeys: string[]) {
  const raw = decodeObject(body);
  const typed = pickPartial(raw, spec);
  const payloads: Record<string, unknown> = {};
  for (const key of payloadKeys) if (Object.hasOwn(raw, key)) payloads[key] = raw[key];
  return refuseNul(raw, { ...typed, ...payloads });
}

export const debugRoutes: Route[] = [
  {
    method: 'GET',
    path: RUNS,
    handle: async ({ actor, services, params }) => json(200, (await services.debug.listRuns(actor, pathUuid(params.chat))).map(runSummaryJson)),
  },
  {
    method: 'GET',
    path: `${RUNS}/:run`,
    handle: async ({ actor, services, params }) => {
      const { run, steps } = await services.debug.getRun(actor, pathUuid(params.chat), () => runId(params.run));
      return json(200, runDetailJson(run, steps));
    },
  },
  {
    method: 'POST',
    path: RUNS,
    handle: async ({ actor, services, params, body }) => {
      const run = await services.debug.startRun(actor, pathUuid(params.chat), async () =>
        decodePartial(await body(), {
          kind: 'string',
          provider: 'string',
          model: 'string',
          model_config_id: 'uuid',
          root_chat_id: 'uuid',
          parent_chat_id: 'uuid',
          trigger_message_id: 'int',
          history_tip_message_id: 'int',
          first_message: 'string',
        }),
      );
      return json(201, runDetailJson(run, []));
    },
  },
  {
    method: 'PATCH',
    path: `${RUNS}/:run`,
    handle: async ({ actor, services, params, body }) => {
      const chatId = pathUuid(params.chat);
      const run = await services.debug.updateRun(actor, chatId, () => runId(params.run), async () =>
        decodeWrite(await body(), { status: 'string', provider: 'string', model: 'string' }, ['summary']),
      );
      return json(200, runSummaryJson(run));
    },
  },
  {
    method: 'POST',
    path: `${RUNS}/:run/steps`,
    handle: async ({ actor, services, params, body }) => {
      const step = await services.debug.addStep(actor, pathUuid(params.chat), () => runId(params.run), async () =>
        decodeWrite(await body(), { operation: 'string', history_tip_message_id: 'int' }, ['normalized_request']),
      );
      return json(201, stepJsonText(step));
    },
  },
  {
    method: 'PATCH',
    path: `${RUNS}/:run/steps/:step`,
    handle: async ({ actor, services, params, body }) => {
      const step = await services.debug.updateStep(
        actor,
        pathUuid(params.chat),
        () => ({ runId: runId(params.run), stepId: stepId(params.step) }),
        async () =>
          decodeWrite(await body(), { status: 'string', assistant_message_id: 'int' }, [
            'normalized_response',
            'usage',
            'attempts',
            'error',
            'metadata',
          ]),
      );
      return json(200, stepJsonText(step));
    },
  },
];
