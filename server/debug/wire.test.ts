import { describe, expect, it } from 'vitest';
import type { DebugStep } from '../generated/prisma/client.ts';
import { serialiseSorted, sortKeysDeep, stringifyJson } from '../util/json.ts';
import { clampCodePoints } from './redaction.ts';
import { stepJson, stepJsonText } from './wire.ts';

const step = (normalizedRequest: DebugStep['normalizedRequest'], metadata: DebugStep['metadata'] = {}): DebugStep => ({
  id: '11111111-1111-4111-8111-111111111111',
  runId: '22222222-2222-4222-8222-222222222222',
  chatId: '33333333-3333-4333-8333-333333333333',
  stepNumber: 3,
  operation: 'stream',
  status: 'completed',
  historyTipMessageId: 7n,
  assistantMessageId: null,
  normalizedRequest,
  normalizedResponse: { content: [{ type: 'text', text: 'ok' }] },
  usage: { output_tokens: 2, input_tokens: 1 },
  attempts: [],
  error: null,
  metadata,
  startedAt: new Date('2026-12-02T10:00:00Z'),
  updatedAt: new Date('2026-12-02T10:00:01Z'),
  finishedAt: new Date('2026-12-02T10:00:01Z'),
});

describe('stepJsonText', () => {
  it('splices a request serialised at write time and yields the bytes of stepJson', () => {
    const request = sortKeysDeep({
      messages: [{ role: 'user', parts: [{ type: 'text', text: 'a "normalized_request":{} and $& $1 $$ in text' }] }],
      z: { b: 1, a: [{ d: 1, c: 2 }] },
      '"normalized_request":{}': {},
    }) as Record<string, unknown>;
    serialiseSorted(request);
    const tricky = step(request as DebugStep['normalizedRequest'], { normalized_request: {}, note: '"normalized_request":{}' });
    expect(stepJsonText(tricky).text).toBe(JSON.stringify(stepJson(tricky)));
    expect(JSON.parse(stepJsonText(tricky).text).normalized_request).toEqual(request);
  });

  it('serialises a request read from the database (not remembered) in full', () => {
    const fromDatabase = step({ b: 2, a: 1 });
    expect(stepJsonText(fromDatabase).text).toBe(JSON.stringify(stepJson(fromDatabase)));
    expect(stepJsonText(fromDatabase).text).toContain('"normalized_request":{"a":1,"b":2}');
    expect(stepJsonText(step(null)).text).toContain('"normalized_request":{}');
  });
});

describe('clampCodePoints', () => {
  it('counts code points, not UTF-16 units, with and without surrogate pairs', () => {
    expect(clampCodePoints('a'.repeat(10), 10)).toEqual({ text: 'a'.repeat(10), length: 10, cut: false });
    expect(clampCodePoints('a'.repeat(11), 10)).toEqual({ text: `${'a'.repeat(9)}…`, length: 11, cut: true });
    expect(clampCodePoints(`${'a'.repeat(9)}😀`, 10)).toEqual({ text: `${'a'.repeat(9)}😀`, length: 10, cut: false });
    expect(clampCodePoints(`${'a'.repeat(9)}😀b`, 10)).toEqual({ text: `${'a'.repeat(9)}…`, length: 11, cut: true });
    expect(clampCodePoints('😀'.repeat(11), 10)).toEqual({ text: `${'😀'.repeat(9)}…`, length: 11, cut: true });
    expect(clampCodePoints('', 10)).toEqual({ text: '', length: 0, cut: false });
  });
});

describe('keys that look like array indexes', () => {
  it('come out in ascending string order, like every other key, at any depth; other serialisers get the plain object', () => {
    const value = sortKeysDeep({ b: 1, '10': 2, '9': { z: 1, '2': 2, '11': [{ '1': 'a', '0': 'b' }] }, A: 4, '01': 5, '-1': 6, '4294967295': 7 });
    expect(stringifyJson(value)).toBe('{"-1":6,"01":5,"10":2,"4294967295":7,"9":{"11":[{"0":"b","1":"a"}],"2":2,"z":1},"A":4,"b":1}');
    expect(stringifyJson({ outer: [value, 'x'] })).toBe(`{"outer":[${stringifyJson(value)},"x"]}`);
    // GraphQL's JSON scalar and anything else: the same content, in JS's order.
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(stringifyJson(value)));
    // No index keys: a plain object, serialised natively.
    expect(stringifyJson(sortKeysDeep({ b: 1, a: { d: 1, c: 2 } }))).toBe('{"a":{"c":2,"d":1},"b":1}');
    // Text that looks like a placeholder, even with a NUL, is only text.
    const lookalike = '\u0000ordered-json:0';
    expect(stringifyJson({ n: sortKeysDeep({ '1': 1 }), t: lookalike })).toBe(`{"n":{"1":1},"t":${JSON.stringify(lookalike)}}`);
  });

  it('a request with such keys is spliced into the step reply in order', () => {
    const request = sortKeysDeep({ messages: [], '10': 'x', '9': 'y' }) as Record<string, unknown>;
    serialiseSorted(request);
    expect(stepJsonText(step(request as DebugStep['normalizedRequest'])).text).toContain('"normalized_request":{"10":"x","9":"y","messages":[]}');
  });
});
