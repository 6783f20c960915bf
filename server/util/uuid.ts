export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export class UuidError extends Error {}

/**
 * Parses a UUID the way Go's github.com/google/uuid Parse does: the canonical 36-character form,
 * the same in braces, prefixed "urn:uuid:", or 32 hex digits; case-insensitive. Returns the
 * lowercase canonical form.
 */
export function parseUuid(input: string): string {
  const length = Buffer.byteLength(input, 'utf8');
  let body: string;
  switch (length) {
    case 36:
      body = input;
      break;
    case 45:
      if (input.slice(0, 9).toLowerCase() !== 'urn:uuid:') throw new UuidError('invalid UUID format');
      body = input.slice(9);
      break;
    case 38:
      if (input[0] !== '{' || input[37] !== '}') throw new UuidError('invalid UUID format');
      body = input.slice(1, 37);
      break;
    case 32:
      if (!/^[0-9a-fA-F]{32}$/.test(input)) throw new UuidError('invalid UUID format');
      return canonical(input);
    default:
      throw new UuidError(`invalid UUID length: ${length}`);
  }
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(body)) {
    throw new UuidError('invalid UUID format');
  }
  return body.toLowerCase();
}

function canonical(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
