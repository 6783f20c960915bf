import { createEffect, createSignal } from 'solid-js';
import { createMutation, createQuery, type TypedDocumentNode } from '../../graphql/index.ts';

/**
 * A setting behind one switch that saves on change (web-ui.md 2.3 and 3): loads it, saves it, and
 * shows only what the server confirmed (no optimistic update).
 */
export function createSavedToggle<T, QueryData, MutationData, Variables extends Record<string, unknown>>(options: {
  query: TypedDocumentNode<QueryData, Record<string, never>>;
  read: (data: QueryData) => T | null | undefined;
  mutation: TypedDocumentNode<MutationData, Variables>;
  variables: (on: boolean) => Variables;
  readSaved: (data: MutationData) => T | null | undefined;
  /** A plain copy, so later cache updates of the query do not show unconfirmed values. */
  copy: (value: T) => T;
}) {
  const [query] = createQuery({ query: options.query });
  const [current, setCurrent] = createSignal<T>();
  createEffect(() => {
    const value = query.data ? options.read(query.data) : undefined;
    if (value) setCurrent(() => options.copy(value));
  });
  const [saveState, save] = createMutation(options.mutation);
  const [saveError, setSaveError] = createSignal(false);
  const onToggle = async (on: boolean) => {
    setSaveError(false);
    const result = await save(options.variables(on));
    const saved = result.data ? options.readSaved(result.data) : undefined;
    if (saved && !result.error) setCurrent(() => options.copy(saved));
    else setSaveError(true);
  };
  return {
    current,
    loading: () => !current() && !query.error,
    loadError: () => !current() && Boolean(query.error),
    saving: () => saveState.fetching,
    saveError,
    onToggle,
  };
}
