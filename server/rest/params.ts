import { DomainError, invalid } from '../errors.ts';
import { UuidError, parseUuid } from '../util/uuid.ts';

const escapeRaw = (raw: string) => raw.replace(/["\\]/g, (c) => `\\${c}`);

function uuidOr(raw: string, error: (detail: string) => DomainError): string {
  try {
    return parseUuid(raw);
  } catch (e) {
    if (e instanceof UuidError) throw error(e.message);
    throw e;
  }
}

/** `{chat}` and other path UUIDs: 400 `Invalid UUID "<raw>".` */
export const pathUuid = (raw: string) => uuidOr(raw, (detail) => invalid(`Invalid UUID "${escapeRaw(raw)}".`, detail));

/** A path UUID with its own message, e.g. "Invalid debug run ID." */
export const namedUuid = (message: string) => (raw: string) => uuidOr(raw, (detail) => invalid(message, detail));
