// The only module that imports urql: pages and components import from here.
export { Provider, createMutation, createQuery, createSubscription, useClient } from '@urql/solid';
export type { Client, CombinedError, OperationResult, TypedDocumentNode } from '@urql/core';
export { createAppClient, isCloseEvent, isUnauthenticated, wsUrl, WS_SIGNED_OUT_CODE, type AppClient } from './client.ts';
export { errorCode, serverMessage } from './errors.ts';
export * from './documents.ts';
