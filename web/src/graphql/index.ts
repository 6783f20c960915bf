// The only module that imports urql: pages and components import from here.
export { Provider, createMutation, createQuery, createSubscription, useClient } from '@urql/solid';
export type { Client, CombinedError, OperationResult, TypedDocumentNode } from '@urql/core';
export {
  createAppClient,
  isCloseEvent,
  isUnauthenticated,
  wsUrl,
  STEADY_CONNECTION,
  WS_SIGNED_OUT_CODE,
  type AppClient,
  type LiveConnection,
  type LiveConnectionEvent,
  type ResumableContext,
} from './client.ts';
export { LiveConnectionContext, useLiveConnection } from './live.ts';
export { errorCode, serverMessage } from './errors.ts';
export * from './documents.ts';
