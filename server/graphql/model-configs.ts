import type { ModelConfig } from '../generated/prisma/client.ts';
import { requireActor, uuidArg } from './actor.ts';
import { builder } from './builder.ts';

export const ModelConfigRef = builder.objectRef<ModelConfig>('ModelConfig').implement({
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    provider: t.exposeString('provider', { nullable: false }),
    model: t.exposeString('model', { nullable: false }),
    displayName: t.exposeString('displayName', { nullable: false, description: 'May be ""; UIs then show `model`.' }),
    enabled: t.exposeBoolean('enabled', { nullable: false }),
    isDefault: t.exposeBoolean('isDefault', { nullable: false }),
    contextLimit: t.float({ nullable: false, resolve: (c) => Number(c.contextLimit) }),
    compressionThreshold: t.exposeInt('compressionThreshold', { nullable: false }),
    createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: false, resolve: (c) => c.updatedAt }),
  }),
});

const NewModelConfigInput = builder.inputType('NewModelConfigInput', {
  fields: (t) => ({
    provider: t.string({ required: true }),
    model: t.string({ required: true }),
    displayName: t.string(),
    enabled: t.boolean({ defaultValue: true }),
    isDefault: t.boolean({ defaultValue: false }),
    contextLimit: t.float({ required: true }),
    compressionThreshold: t.int({ defaultValue: 70 }),
  }),
});

builder.queryFields((t) => ({
  modelConfigs: t.field({
    type: [ModelConfigRef],
    description: 'Owners and auditors see every config; others see enabled ones.',
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.modelConfigs.list(requireActor(context)),
  }),
}));

builder.mutationFields((t) => ({
  createModelConfig: t.field({
    type: ModelConfigRef,
    authScopes: { deploymentAdmin: true },
    args: { input: t.arg({ type: NewModelConfigInput, required: true }) },
    resolve: (_root, { input }, context) =>
      context.services.modelConfigs.create(requireActor(context), () => ({
        provider: input.provider,
        model: input.model,
        display_name: input.displayName ?? '',
        enabled: input.enabled ?? true,
        is_default: input.isDefault ?? false,
        // Like REST's integer decoding (rest-api.md 1.2): only integers within ±(2^53−1); others are no limit.
        context_limit: Number.isSafeInteger(input.contextLimit) ? input.contextLimit : 0,
        compression_threshold: input.compressionThreshold ?? 70,
      })),
  }),
  deleteModelConfig: t.boolean({
    authScopes: { deploymentAdmin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      await context.services.modelConfigs.softDelete(requireActor(context), () => uuidArg(args.id, () => 'Invalid chat model config ID.'));
      return true;
    },
  }),
}));
