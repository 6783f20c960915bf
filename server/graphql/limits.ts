import { GraphQLError, Kind, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Field duplication: graphql-js merges `{ a a a … }` into one field, but validating the repeats
 * is quadratic and a scanner's 500 copies otherwise execute. No selection set may select one
 * response key (or spread one fragment) more than `limit` times, counted through inline
 * fragments and fragment spreads at that level. One error per document.
 */
export function maxFieldRepeatsRule(limit: number): ValidationRule {
  return (context) => {
    let reported = false;
    return {
      SelectionSet(node) {
        if (reported) return;
        const counts = new Map<string, number>();
        const expanded = new Set<string>();
        const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
        const walk = (set: SelectionSetNode) => {
          for (const selection of set.selections) {
            if (selection.kind === Kind.FIELD) bump(selection.alias?.value ?? selection.name.value);
            else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
            else {
              const name = selection.name.value;
              bump(`...${name}`);
              if (expanded.has(name)) continue;
              expanded.add(name);
              const fragment = context.getFragment(name);
              if (fragment) walk(fragment.selectionSet);
            }
          }
        };
        walk(node);
        for (const [key, count] of counts) {
          if (count > limit) {
            reported = true;
            context.reportError(new GraphQLError(`Field duplication limit of ${limit} exceeded: "${key}" is selected ${count} times.`, { nodes: node }));
            return;
          }
        }
      },
    };
  };
}

export const useMaxFieldRepeats = (limit: number): Plugin => ({
  onValidate({ addValidationRule }) {
    addValidationRule(maxFieldRepeatsRule(limit));
  },
});
