/**
 * Why JSON.parse refused a text, without the piece of the text V8 quotes (`Unexpected token 's',
 * "sk-…" is not valid JSON`; some libraries append the whole text too): a body may carry a secret
 * (an API key, a password), and an error should not echo megabytes back.
 */
export function jsonParseReason(message: string): string {
  if (/^Unexpected token\b/.test(message)) return 'Unexpected token in JSON';
  // V8 quotes the text after ', "'; what comes before it is the reason and the position.
  const reason = message.split(', "')[0];
  return reason.includes('"') ? 'invalid JSON' : reason;
}

/** Quotes a string like a JSON string literal, as Go's %q-style messages in the contract do. */
export const quoteJson = (value: string) => JSON.stringify(value);

/**
 * An object whose keys cannot keep ascending string order as a JS object: JS lists array-index keys
 * ("9", "10") first, in numeric order. It holds its JSON text with the keys in order; stringifyJson
 * splices that text in. Anything else serialising it (GraphQL's JSON scalar, whose clients parse it
 * anyway) gets the parsed object.
 */
export class OrderedJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    if (!collecting) return JSON.parse(this.text);
    collecting.push(this.text);
    return `${PLACEHOLDER}${collecting.length - 1}`;
  }
}

/** Texts of the OrderedJson values met by the stringifyJson in progress. */
let collecting: string[] | undefined;
// A NUL never reaches stored JSON (it is refused or replaced on the way in), so neither does this.
const NONCE = Math.random().toString(36).slice(2);
const PLACEHOLDER = `\u0000ordered-json:${NONCE}:`;
const PLACEHOLDER_TEXT = new RegExp(`"\\\\u0000ordered-json:${NONCE}:(\\d+)"`, 'g');

/** JSON.stringify, with OrderedJson values written with their keys in order. */
export function stringifyJson(value: unknown): string {
  const outer = collecting;
  const texts: string[] = [];
  collecting = texts;
  try {
    const text = JSON.stringify(value);
    return texts.length === 0 ? text : text.replace(PLACEHOLDER_TEXT, (_, i: string) => texts[Number(i)]);
  } finally {
    collecting = outer;
  }
}

/** Keys JS moves ahead of all others, in numeric order: canonical array indexes. */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4_294_967_295;
}

/** JSON text with object keys in ascending string order at every depth. */
function orderedText(value: unknown): string {
  if (value instanceof OrderedJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : orderedText(item))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort(compareStrings)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${orderedText((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Re-emits a JSON value with object keys in ascending string order at every depth. An object with
 * array-index keys becomes an OrderedJson (see there); serialise the result with stringifyJson.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    if (value instanceof OrderedJson) return value;
    const keys = Object.keys(value).sort(compareStrings);
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return keys.some(isIndexKey) ? new OrderedJson(orderedText(out)) : out;
  }
  return value;
}

const serialised = new WeakMap<object, string>();

/**
 * JSON text of a value whose keys are already in sortKeysDeep order, remembered for the value's
 * lifetime: a reply that includes the value unchanged splices this text instead of sorting and
 * serialising it again (a step's normalized_request is often most of a write's bytes).
 */
export function serialiseSorted(value: object): string {
  const text = stringifyJson(value);
  serialised.set(value, text);
  return text;
}

/** The text serialiseSorted made of this very value, if any. */
export const serialisedText = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null ? serialised.get(value) : undefined;

/** A reply body that is JSON text already. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Byte-wise (code unit) ordering, like Go's sort.Strings on UTF-8 for the BMP. */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The deepest nesting of objects and arrays a request may carry. Payloads are walked recursively
 * (redaction, caps, key order); far deeper input would overflow the stack. Go's encoding/json stops
 * at 10,000; real model requests nest a few dozen levels.
 */
export const MAX_JSON_DEPTH = 1000;

/** Whether objects and arrays nest deeper than `max` (walked without recursion, so any input is safe). */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > max) return true;
    for (const inner of Array.isArray(current) ? current : Object.values(current as object)) {
      if (typeof inner === 'object' && inner !== null) stack.push([inner, depth + 1]);
    }
  }
  return false;
}

/** Why a NUL is refused: PostgreSQL text and JSON cannot hold U+0000, in a value or in a key. */
export const NUL_REASON = '\\u0000 (NUL) cannot be stored';

export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(containsNul);
  if (isPlainObject(value)) return Object.entries(value).some(([key, inner]) => key.includes('\0') || containsNul(inner));
  return false;
}
