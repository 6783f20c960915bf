import { DomainError } from '../errors.ts';
import { MAX_JSON_DEPTH, NUL_REASON, containsNul, isPlainObject, jsonDepthExceeds, jsonParseReason } from '../util/json.ts';
import { NOT_UTF8_BODY } from './http.ts';
import { NIL_UUID, UuidError, parseUuid } from '../util/uuid.ts';

/** Field types of rest-api.md 1.2. */
export type FieldType = 'boolean' | 'string' | 'uuid' | 'int32' | 'int' | 'stringArray' | 'stringMap';

type ValueOf<T extends FieldType> = T extends 'boolean'
  ? boolean
  : T extends 'string' | 'uuid'
    ? string
    : T extends 'int32' | 'int'
      ? number
      : T extends 'stringArray'
        ? string[]
        : Record<string, string>;

export type Spec = Record<string, FieldType>;
export type Decoded<S extends Spec> = { [K in keyof S]: ValueOf<S[K]> };
export type DecodedPartial<S extends Spec> = { [K in keyof S]?: ValueOf<S[K]> };

export const BAD_JSON_MESSAGE = 'Request body must be valid JSON.';
const INT32 = [-2_147_483_648, 2_147_483_647] as const;

const badJson = (detail: string) => new DomainError('Validation', BAD_JSON_MESSAGE, detail);

const ZERO: { [T in FieldType]: () => ValueOf<T> } = {
  boolean: () => false,
  string: () => '',
  uuid: () => NIL_UUID,
  int32: () => 0,
  int: () => 0,
  stringArray: () => [],
  stringMap: () => ({}),
};

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function convert(field: string, type: FieldType, value: unknown): unknown {
  const wrongType = () => badJson(`json: cannot unmarshal ${jsonKind(value)} into field "${field}" of type ${type}`);
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType();
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrongType();
      return value;
    case 'uuid':
      if (typeof value !== 'string') throw wrongType();
      try {
        return parseUuid(value);
      } catch (error) {
        if (error instanceof UuidError) throw badJson(`field "${field}": ${error.message}`);
        throw error;
      }
    case 'int32':
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType();
      const [min, max] = type === 'int32' ? INT32 : [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (value < min || value > max) throw badJson(`json: number out of range for field "${field}"`);
      return value === 0 ? 0 : value; // normalise -0
    }
    case 'stringArray':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw wrongType();
      return value;
    case 'stringMap':
      if (!isPlainObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw wrongType();
      return value;
  }
}

function parseTopLevel(raw: string): Record<string, unknown> {
  if (raw === NOT_UTF8_BODY) throw badJson('invalid UTF-8 in request body');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw badJson(raw.trim() === '' ? 'unexpected end of JSON input' : jsonParseReason((error as Error).message));
  }
  if (value === null) return {};
  if (!isPlainObject(value)) throw badJson(`json: cannot unmarshal ${jsonKind(value)} into an object`);
  // The body's own object is one level; the values in it may nest MAX_JSON_DEPTH more.
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH + 1)) throw badJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (raw.includes('\\u0000')) mayHoldNul.add(value);
  return value;
}

/** Bodies whose text has the escape \u0000: only they are searched for a NUL. */
const mayHoldNul = new WeakSet<object>();

/**
 * A NUL in a value the route uses is refused here, not as a 500 when PostgreSQL refuses to store
 * it; one under a key the route ignores is ignored with the key.
 */
export function refuseNul<T extends object>(body: object, used: T): T {
  if (mayHoldNul.has(body) && containsNul(used)) throw badJson(`unsupported Unicode escape sequence: ${NUL_REASON}`);
  return used;
}

/**
 * Full decode: absent keys and nulls take zero values; unknown keys are ignored. `onlyChosenStrings`:
 * every string of the body is checked against a fixed set of values before anything is stored, so a
 * NUL gets the endpoint's own "invalid value" answer instead of the generic one.
 */
export function decodeBody<S extends Spec>(raw: string, spec: S, defaults: Partial<Decoded<S>> = {}, options: { onlyChosenStrings?: boolean } = {}): Decoded<S> {
  const object = parseTopLevel(raw);
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(spec)) {
    const value = Object.hasOwn(object, field) ? object[field] : undefined;
    if (value === undefined || value === null) {
      out[field] = Object.hasOwn(defaults, field) ? defaults[field] : ZERO[type]();
    } else {
      out[field] = convert(field, type, value);
    }
  }
  return (options.onlyChosenStrings ? out : refuseNul(object, out)) as Decoded<S>;
}

/** Partial decode for PATCH: absent keys and nulls stay absent. */
export function decodePartial<S extends Spec>(raw: string, spec: S): DecodedPartial<S> {
  const object = parseTopLevel(raw);
  return refuseNul(object, pickPartial(object, spec));
}

/** decodePartial of a body already parsed with decodeObject, without the NUL check (see refuseNul). */
export function pickPartial<S extends Spec>(object: Record<string, unknown>, spec: S): DecodedPartial<S> {
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(spec)) {
    const value = object[field];
    if (value !== undefined && value !== null && Object.hasOwn(object, field)) out[field] = convert(field, type, value);
  }
  return out as DecodedPartial<S>;
}

/** For payload fields that are free-form JSON: returns the raw parsed object (callers refuseNul what they use). */
export function decodeObject(raw: string): Record<string, unknown> {
  return parseTopLevel(raw);
}
