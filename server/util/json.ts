/** Quotes a string like a JSON string literal, as Go's %q-style messages in the contract do. */
export const quoteJson = (value: string) => JSON.stringify(value);

/** Re-emits a JSON value with object keys in ascending string order at every depth. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Byte-wise (code unit) ordering, like Go's sort.Strings on UTF-8 for the BMP. */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
