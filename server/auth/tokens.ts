import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length];
  return out;
}

/** Coder's token shape: a 10-character id, a dash, a 22-character secret. */
export function newToken(): { id: string; secret: string; token: string } {
  const id = randomString(10);
  const secret = randomString(22);
  return { id, secret, token: `${id}-${secret}` };
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9]{10})-([A-Za-z0-9]{22})$/.exec(token);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function hashSecret(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(secret).digest());
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const actual = Buffer.from(hashSecret(secret));
  const expected = Buffer.from(storedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
