import { canReadChat } from '../auth/policy.ts';
import { DomainError } from '../errors.ts';
import { DEBUG_EVENT_KINDS, encodeCursor } from '../debug/events.ts';
import type { DebugEventView } from '../debug/feed.ts';
import { attemptsArray, optionalObject, requiredObject, runDetailJson } from '../debug/wire.ts';
import type { DebugRun, DebugStep } from '../generated/prisma/client.ts';
import { requireActor, uuidArg } from './actor.ts';
import { builder } from './builder.ts';
import { ChatRef } from './chats.ts';
import { SHARED_EVENT_RESULTS } from './shared-events.ts';

const num = (value: bigint | null) => (value === null ? null : Number(value));

/**
 * Wire conversions memoised per row object: a live event's run and step objects are shared by
 * every subscriber, so each payload is converted once, not once per subscriber.
 */
function memo<T extends object, R>(convert: (row: T) => R): (row: T) => R {
  const cache = new WeakMap<T, R>();
  return (row) => {
    if (cache.has(row)) return cache.get(row)!;
    const value = convert(row);
    cache.set(row, value);
    return value;
  };
}
const stepRequest = memo((s: DebugStep) => requiredObject(s.normalizedRequest));
const stepResponse = memo((s: DebugStep) => optionalObject(s.normalizedResponse) ?? null);
const stepUsage = memo((s: DebugStep) => optionalObject(s.usage) ?? null);
const stepAttempts = memo((s: DebugStep) => attemptsArray(s.attempts));
const stepError = memo((s: DebugStep) => optionalObject(s.error) ?? null);
const stepMetadata = memo((s: DebugStep) => requiredObject(s.metadata));
const runIdArg = (value: string | number) => uuidArg(value, () => 'Invalid debug run ID.');

export const DebugStepRef = builder.objectRef<DebugStep>('DebugStep').implement({
  description: 'One model call of a run. Free-form payloads keep their snake_case keys, as over REST.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    runId: t.exposeID('runId', { nullable: false }),
    chatId: t.exposeID('chatId', { nullable: false }),
    stepNumber: t.exposeInt('stepNumber', { nullable: false }),
    operation: t.exposeString('operation', { nullable: false }),
    status: t.exposeString('status', { nullable: false }),
    historyTipMessageId: t.float({ resolve: (s) => num(s.historyTipMessageId) }),
    assistantMessageId: t.float({ resolve: (s) => num(s.assistantMessageId) }),
    normalizedRequest: t.field({ type: 'JSON', nullable: false, resolve: stepRequest }),
    normalizedResponse: t.field({ type: 'JSON', resolve: stepResponse }),
    usage: t.field({ type: 'JSON', resolve: stepUsage }),
    attempts: t.field({ type: 'JSON', nullable: false, description: 'Attempt bodies are base64.', resolve: stepAttempts }),
    error: t.field({ type: 'JSON', resolve: stepError }),
    metadata: t.field({ type: 'JSON', nullable: false, resolve: stepMetadata }),
    startedAt: t.field({ type: 'DateTime', nullable: false, resolve: (s) => s.startedAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: false, resolve: (s) => s.updatedAt }),
    finishedAt: t.field({ type: 'DateTime', resolve: (s) => s.finishedAt }),
  }),
});

// Runs are only ever handed out by services that checked read access to their chat.
export const DebugRunRef = builder.objectRef<DebugRun>('DebugRun').implement({
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    chatId: t.exposeID('chatId', { nullable: false }),
    rootChatId: t.id({ resolve: (r) => r.rootChatId }),
    parentChatId: t.id({ resolve: (r) => r.parentChatId }),
    modelConfigId: t.id({ resolve: (r) => r.modelConfigId }),
    triggerMessageId: t.float({ resolve: (r) => num(r.triggerMessageId) }),
    historyTipMessageId: t.float({ resolve: (r) => num(r.historyTipMessageId) }),
    kind: t.exposeString('kind', { nullable: false }),
    status: t.exposeString('status', { nullable: false }),
    provider: t.string({ resolve: (r) => r.provider }),
    model: t.string({ resolve: (r) => r.model }),
    // Not memoised: a summary is a few keys, and a list read would pay a WeakMap entry per run.
    summary: t.field({ type: 'JSON', nullable: false, resolve: (r) => requiredObject(r.summary) }),
    startedAt: t.field({ type: 'DateTime', nullable: false, resolve: (r) => r.startedAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: false, resolve: (r) => r.updatedAt }),
    finishedAt: t.field({ type: 'DateTime', resolve: (r) => r.finishedAt }),
    steps: t.field({
      type: [DebugStepRef],
      nullable: false,
      resolve: (r, _a, context) => {
        requireActor(context);
        return context.services.debug.stepsOf(r.id);
      },
    }),
    detail: t.field({
      type: 'JSON',
      nullable: false,
      description: 'The run exactly as GET /api/experimental/chats/{chat}/debug/runs/{run} returns it (what exports contain).',
      resolve: async (r, _a, context) => {
        requireActor(context);
        return runDetailJson(r, await context.services.debug.stepsOf(r.id));
      },
    }),
  }),
});

const DebugEventKindEnum = builder.enumType('DebugEventKind', { values: DEBUG_EVENT_KINDS });

const DebugEventRef = builder.objectRef<DebugEventView>('DebugEvent').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor', { nullable: false, description: 'Opaque; strictly increasing per chat. Pass it as `after` to resume.' }),
    kind: t.field({ type: DebugEventKindEnum, nullable: false, resolve: (e) => e.kind }),
    chatId: t.exposeID('chatId', { nullable: false }),
    run: t.field({ type: DebugRunRef, description: 'The run as it is now; null once deleted.', resolve: (e) => e.run }),
    step: t.field({ type: DebugStepRef, resolve: (e) => e.step }),
    deletedRunIds: t.idList({ nullable: false, resolve: (e) => e.deletedRunIds }),
    chatDeleted: t.exposeBoolean('chatDeleted', { nullable: false, description: 'The chat itself was deleted; the stream ends.' }),
  }),
});

const readableChat = { authScopes: (chat: { access: Parameters<typeof canReadChat>[1] }, _args: unknown, context: { actor: Parameters<typeof canReadChat>[0] | null }) => context.actor !== null && canReadChat(context.actor, chat.access) };

builder.objectFields(ChatRef, (t) => ({
  debugRuns: t.field({
    type: [DebugRunRef],
    description: 'The newest runs first: `first` of them (default and at most 100; negative is an error). Owner and readers only.',
    args: { first: t.arg.int({ defaultValue: 100 }) },
    ...readableChat,
    resolve: (chat, args, context) => context.services.debug.listRuns(requireActor(context), chat, args.first ?? 100),
  }),
  debugRun: t.field({
    type: DebugRunRef,
    description: 'One run of this chat with its steps; null when it does not exist or belongs to another chat.',
    args: { id: t.arg.id({ required: true }) },
    ...readableChat,
    resolve: async (chat, args, context) => {
      try {
        return (await context.services.debug.getRun(requireActor(context), chat, () => runIdArg(args.id))).run;
      } catch (error) {
        if ((error as { kind?: string }).kind === 'NotFound') return null;
        throw error;
      }
    },
  }),
  debugLoggingActive: t.boolean({
    nullable: false,
    description: "Whether new model calls in this chat are recorded now (the chat owner's recording gate).",
    ...readableChat,
    resolve: async (chat, _a, context) => (await context.services.debug.recordingGateFor(chat)).open,
  }),
  debugEventCursor: t.string({
    nullable: false,
    description:
      "The cursor of this chat's latest debug event, read when the chat is loaded (before nested lists in the same request). Subscribe to chatDebugEvents with it as `after` to miss nothing written after that point.",
    ...readableChat,
    resolve: (chat) => encodeCursor(chat.debugEventSeq),
  }),
  hasDebugRuns: t.boolean({
    nullable: false,
    ...readableChat,
    resolve: (chat, _a, context) => context.services.debug.hasRuns(requireActor(context), chat),
  }),
}));

const StartDebugRunInput = builder.inputType('StartDebugRunInput', {
  fields: (t) => ({
    kind: t.string({ required: true, description: 'chat_turn, title_generation, quickgen or compaction.' }),
    provider: t.string(),
    model: t.string(),
    modelConfigId: t.id(),
    rootChatId: t.id(),
    parentChatId: t.id(),
    triggerMessageId: t.float(),
    historyTipMessageId: t.float(),
    firstMessage: t.string(),
  }),
});

const AddDebugStepInput = builder.inputType('AddDebugStepInput', {
  fields: (t) => ({
    operation: t.string({ required: true, description: 'stream or generate.' }),
    normalizedRequest: t.field({ type: 'JSON' }),
    historyTipMessageId: t.float(),
  }),
});

const UpdateDebugStepInput = builder.inputType('UpdateDebugStepInput', {
  description: 'Only the fields present change; null clears normalizedResponse, usage and error.',
  fields: (t) => ({
    status: t.string(),
    normalizedResponse: t.field({ type: 'JSON' }),
    usage: t.field({ type: 'JSON' }),
    attempts: t.field({ type: 'JSON' }),
    error: t.field({ type: 'JSON' }),
    metadata: t.field({ type: 'JSON' }),
    assistantMessageId: t.float(),
  }),
});

const UpdateDebugRunInput = builder.inputType('UpdateDebugRunInput', {
  fields: (t) => ({ status: t.string(), provider: t.string(), model: t.string(), summary: t.field({ type: 'JSON' }) }),
});

const integer = (value: number | null | undefined) => {
  if (value === null || value === undefined) return undefined;
  if (!Number.isSafeInteger(value)) throw new DomainError('Validation', 'Message ids must be integers.');
  return value;
};
const present = <T>(value: T | null | undefined) => (value === null ? undefined : value);
const uuidOrUndefined = (value: string | number | null | undefined) => (value == null ? undefined : uuidArg(value));

builder.mutationFields((t) => ({
  startDebugRun: t.field({
    type: DebugRunRef,
    description: "Starts a run (chat owner only). CONFLICT when the chat owner's recording gate is closed; nothing is stored.",
    authScopes: { signedIn: true },
    args: { chatId: t.arg.id({ required: true }), input: t.arg({ type: StartDebugRunInput, required: true }) },
    resolve: (_r, { chatId, input }, context) =>
      context.services.debug.startRun(requireActor(context), uuidArg(chatId), () => ({
        kind: input.kind,
        provider: present(input.provider),
        model: present(input.model),
        model_config_id: uuidOrUndefined(input.modelConfigId),
        root_chat_id: uuidOrUndefined(input.rootChatId),
        parent_chat_id: uuidOrUndefined(input.parentChatId),
        trigger_message_id: integer(input.triggerMessageId),
        history_tip_message_id: integer(input.historyTipMessageId),
        first_message: present(input.firstMessage),
      })),
  }),
  addDebugStep: t.field({
    type: DebugStepRef,
    authScopes: { signedIn: true },
    args: { chatId: t.arg.id({ required: true }), runId: t.arg.id({ required: true }), input: t.arg({ type: AddDebugStepInput, required: true }) },
    resolve: (_r, { chatId, runId, input }, context) =>
      context.services.debug.addStep(requireActor(context), uuidArg(chatId), () => runIdArg(runId), () => ({
        operation: input.operation,
        normalized_request: present(input.normalizedRequest),
        history_tip_message_id: integer(input.historyTipMessageId),
      })),
  }),
  updateDebugStep: t.field({
    type: DebugStepRef,
    authScopes: { signedIn: true },
    args: {
      chatId: t.arg.id({ required: true }),
      runId: t.arg.id({ required: true }),
      stepId: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateDebugStepInput, required: true }),
    },
    resolve: (_r, { chatId, runId, stepId, input }, context) =>
      context.services.debug.updateStep(
        requireActor(context),
        uuidArg(chatId),
        () => ({ runId: runIdArg(runId), stepId: uuidArg(stepId, () => 'Invalid debug step ID.') }),
        () => ({
          status: present(input.status),
          normalized_response: input.normalizedResponse,
          usage: input.usage,
          attempts: present(input.attempts),
          error: input.error,
          metadata: present(input.metadata),
          assistant_message_id: integer(input.assistantMessageId),
        }),
      ),
  }),
  updateDebugRun: t.field({
    type: DebugRunRef,
    authScopes: { signedIn: true },
    args: { chatId: t.arg.id({ required: true }), runId: t.arg.id({ required: true }), input: t.arg({ type: UpdateDebugRunInput, required: true }) },
    resolve: (_r, { chatId, runId, input }, context) =>
      context.services.debug.updateRun(requireActor(context), uuidArg(chatId), () => runIdArg(runId), () => ({
        status: present(input.status),
        provider: present(input.provider),
        model: present(input.model),
        summary: present(input.summary),
      })),
  }),
}));

builder.subscriptionFields((t) => ({
  chatDebugEvents: t.field({
    type: DebugEventRef,
    description:
      'Debug events of a chat, live. With `after`, every event after that cursor is replayed from the database first, then live ones follow with no gap and no duplicate. An unknown or unreadable chat is an error and no stream; losing access ends the stream.',
    authScopes: { signedIn: true },
    extensions: SHARED_EVENT_RESULTS,
    args: { chatId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_root, args, context) => context.services.debugFeeds.subscribe(requireActor(context), uuidArg(args.chatId), args.after ?? undefined),
    resolve: (event) => event,
  }),
}));
