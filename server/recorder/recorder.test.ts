import { describe, expect, it } from 'vitest';
import { jsonWithoutNul } from './recorder.ts';

describe('jsonWithoutNul', () => {
  it('writes U+FFFD for every NUL in keys and values, and leaves escaped backslashes followed by "u0000" alone', () => {
    const value = { 'a\0': ['\0', 'x\0\0y', '\\u0000', '\\\0', '\\\\u0000'], plain: 'no nul here' };
    expect(JSON.parse(jsonWithoutNul(value))).toEqual({ 'a\ufffd': ['\ufffd', 'x\ufffd\ufffdy', '\\u0000', '\\\ufffd', '\\\\u0000'], plain: 'no nul here' });
  });

  it('is JSON.stringify when there is no NUL', () => {
    const value = { text: 'a \\u0000 that is only text', n: 1 };
    expect(jsonWithoutNul(value)).toBe(JSON.stringify(value));
  });
});
