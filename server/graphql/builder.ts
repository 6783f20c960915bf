import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { canReadDeploymentGate, canUpdateDeploymentConfig } from '../auth/policy.ts';
import type { GraphQLContext } from './context.ts';
import { gqlError } from './errors.ts';
import { isoTimestamp } from '../util/time.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: {
    signedIn: boolean;
    deploymentAdmin: boolean;
    deploymentReader: boolean;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    // Defence in depth: the same policy functions the services call.
    authScopes: (context) => ({
      signedIn: context.actor !== null,
      deploymentAdmin: context.actor !== null && canUpdateDeploymentConfig(context.actor),
      deploymentReader: context.actor !== null && canReadDeploymentGate(context.actor),
    }),
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context) =>
      context.actor === null
        ? gqlError('UNAUTHENTICATED', 'You are signed out or your session has expired. Please sign in again to continue.')
        : gqlError('FORBIDDEN', 'Forbidden.'),
  },
});

builder.scalarType('DateTime', {
  description: 'An RFC 3339 timestamp in UTC with millisecond precision.',
  serialize: isoTimestamp,
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw gqlError('BAD_USER_INPUT', 'Invalid DateTime.');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'A free-form JSON value; objects keep snake_case keys.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
