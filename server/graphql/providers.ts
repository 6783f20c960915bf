import type { ProviderStatus } from '../providers/service.ts';
import { requireActor } from './actor.ts';
import { builder } from './builder.ts';

export const ProviderRef = builder.objectRef<ProviderStatus>('Provider').implement({
  description: 'A model provider. Its API key is write-only: only whether one is set and its last four characters are readable.',
  fields: (t) => ({
    provider: t.exposeString('provider', { nullable: false }),
    displayName: t.exposeString('displayName', { nullable: false }),
    hasApiKey: t.exposeBoolean('hasApiKey', { nullable: false }),
    apiKeyHint: t.exposeString('apiKeyHint', { nullable: false }),
    source: t.exposeString('source', { nullable: false, description: '"database", "environment" or "none".' }),
  }),
});

builder.queryFields((t) => ({
  providers: t.field({
    type: [ProviderRef],
    authScopes: { signedIn: true },
    resolve: (_root, _args, context) => context.services.providers.list(requireActor(context)),
  }),
}));

builder.mutationFields((t) => ({
  setProviderApiKey: t.field({
    type: [ProviderRef],
    description: 'Stores (encrypted) or, with "", removes the API key of a provider. Returns every provider.',
    authScopes: { deploymentAdmin: true },
    args: { provider: t.arg.string({ required: true }), apiKey: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      const actor = requireActor(context);
      await context.services.providers.setApiKey(actor, args.provider, () => ({ api_key: args.apiKey }));
      return context.services.providers.list(actor);
    },
  }),
}));
