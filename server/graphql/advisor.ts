import { ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS, type AdvisorConfig } from '../advisor/config.ts';
import type { AdvisorUseGrant, ResolvedAdvisor } from '../advisor/service.ts';
import { DomainError } from '../errors.ts';
import { NIL_UUID } from '../util/uuid.ts';
import { requireActor, uuidArg } from './actor.ts';
import { builder } from './builder.ts';
import { ModelConfigRef } from './model-configs.ts';

/** Float inputs that must hold integers (as REST's decoding requires). */
function integerInput(field: string, value: number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (!Number.isSafeInteger(value)) throw new DomainError('Validation', `${field} must be an integer.`);
  return value;
}

export const AdvisorConfigRef = builder.objectRef<AdvisorConfig>('AdvisorConfig').implement({
  description: 'The deployment advisor configuration, as stored, with its resolved values.',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled', { nullable: false }),
    // Float, not Int: REST stores integers up to 2^53−1 (rest-api.md 1.2, 7.3), beyond GraphQL's 32-bit Int.
    maxUsesPerRun: t.exposeFloat('max_uses_per_run', { nullable: false, description: '0 = unlimited.' }),
    maxOutputTokens: t.exposeFloat('max_output_tokens', { nullable: false, description: '0 = the server default.' }),
    modelConfigId: t.exposeID('model_config_id', { nullable: false, description: 'The nil UUID reuses the chat model.' }),
    reasoningEffort: t.exposeString('reasoning_effort', { nullable: false, description: 'One of low, medium, high, or the empty string for the model default.' }),
    effectiveMaxOutputTokens: t.float({
      nullable: false,
      description: `The limit in force: max_output_tokens, or ${ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS} when it is 0.`,
      resolve: (c) => c.max_output_tokens || ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS,
    }),
    modelConfig: t.field({
      type: ModelConfigRef,
      description: 'The advisor model config in force; null when the chat model is reused (unset, deleted or disabled).',
      resolve: async (c, _a, context) => {
        if (c.model_config_id === NIL_UUID) return null;
        const config = await context.services.modelConfigs.findLive(c.model_config_id);
        return config?.enabled ? config : null;
      },
    }),
    usesChatModel: t.boolean({
      nullable: false,
      resolve: async (c, _a, context) => {
        if (c.model_config_id === NIL_UUID) return true;
        const config = await context.services.modelConfigs.findLive(c.model_config_id);
        return !config?.enabled;
      },
    }),
  }),
});

export const ResolvedAdvisorRef = builder.objectRef<ResolvedAdvisor>('ResolvedAdvisor').implement({
  description: 'The advisor rules resolved for one chat, as agent runtimes apply them.',
  fields: (t) => ({
    available: t.exposeBoolean('available', { nullable: false }),
    reason: t.string({ resolve: (r) => r.reason ?? null }),
    // Float, not Int: REST stores integers up to 2^53 − 1, beyond GraphQL's 32-bit Int.
    maxUsesPerRun: t.exposeFloat('maxUsesPerRun', { nullable: false }),
    remainingUses: t.float({ resolve: (r) => r.remainingUses ?? null }),
    maxOutputTokens: t.exposeFloat('maxOutputTokens', { nullable: false }),
    modelConfigId: t.exposeID('modelConfigId', { nullable: false }),
    model: t.exposeString('model', { nullable: false }),
    reasoningEffort: t.exposeString('reasoningEffort', { nullable: false }),
  }),
});

export const AdvisorUseGrantRef = builder.objectRef<AdvisorUseGrant>('AdvisorUseGrant').implement({
  fields: (t) => ({
    useId: t.exposeID('useId', { nullable: false }),
    remainingUses: t.float({ description: 'Null when uses are unlimited.', resolve: (g) => g.remainingUses ?? null }),
  }),
});

const AdvisorConfigInput = builder.inputType('AdvisorConfigInput', {
  description: 'A full replacement: omitted fields take their zero values.',
  fields: (t) => ({
    enabled: t.boolean(),
    maxUsesPerRun: t.float({ description: 'A non-negative integer; 0 = unlimited.' }),
    maxOutputTokens: t.float({ description: 'A non-negative integer; 0 = the server default.' }),
    modelConfigId: t.id({ description: 'Omit, null or the nil UUID to reuse the chat model.' }),
    reasoningEffort: t.string(),
  }),
});

builder.queryFields((t) => ({
  advisorConfig: t.field({
    type: AdvisorConfigRef,
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.advisor.getConfig(requireActor(context)),
  }),
}));

builder.mutationFields((t) => ({
  updateAdvisorConfig: t.field({
    type: AdvisorConfigRef,
    authScopes: { deploymentAdmin: true },
    args: { input: t.arg({ type: AdvisorConfigInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const actor = requireActor(context);
      await context.services.advisor.setConfig(actor, () => ({
        enabled: input.enabled ?? false,
        max_uses_per_run: integerInput('maxUsesPerRun', input.maxUsesPerRun),
        max_output_tokens: integerInput('maxOutputTokens', input.maxOutputTokens),
        model_config_id: input.modelConfigId == null ? NIL_UUID : uuidArg(input.modelConfigId),
        reasoning_effort: input.reasoningEffort ?? '',
      }));
      return context.services.advisor.getConfig(actor);
    },
  }),
  reserveAdvisorUse: t.field({
    type: AdvisorUseGrantRef,
    description: 'Atomically takes one advisor use of a run (turn). CONFLICT when the limit is reached.',
    authScopes: { signedIn: true },
    args: {
      chatId: t.arg.id({ required: true }),
      runKey: t.arg.string({ required: true }),
      planMode: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, context) =>
      context.services.advisor.reserveUse(requireActor(context), uuidArg(args.chatId), () => ({ run_key: args.runKey, plan_mode: args.planMode ?? false })),
  }),
  refundAdvisorUse: t.boolean({
    description: 'Gives a use back after a failed advisor call or empty advice.',
    authScopes: { signedIn: true },
    args: { chatId: t.arg.id({ required: true }), useId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      await context.services.advisor.refundUse(requireActor(context), uuidArg(args.chatId), () => uuidArg(args.useId, () => 'Invalid advisor use ID.'));
      return true;
    },
  }),
}));
