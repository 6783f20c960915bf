import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './time.ts';

describe('isoTimestamp', () => {
  it('equals toISOString across leap years, month ends, the epoch and the edges of four-digit years', () => {
    const instants = [
      0, -1, 1, 951_782_400_000 /* 2000-02-29 */, 4_107_542_399_999 /* 2100-02-28T23:59:59.999 */, -62_167_219_200_000 /* 0000-01-01 */,
      253_402_300_799_999 /* 9999-12-31T23:59:59.999 */, Date.UTC(1969, 11, 31, 23, 59, 59, 5), Date.UTC(2026, 11, 3, 13, 5, 33, 123),
    ];
    // A walk through four centuries in steps that visit every month end and many times of day.
    for (let t = Date.UTC(1890, 0, 1); t < Date.UTC(2290, 0, 1); t += 86_400_000 * 3 + 3_723_456) instants.push(t);
    for (const t of instants) expect(isoTimestamp(new Date(t))).toBe(new Date(t).toISOString());
  });

  it('leaves years outside 0000–9999 and invalid dates to toISOString', () => {
    expect(isoTimestamp(new Date(Date.UTC(10000, 0, 1)))).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoTimestamp(new Date(-62_167_219_200_001))).toBe('-000001-12-31T23:59:59.999Z');
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
