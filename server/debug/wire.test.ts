import { describe, expect, it } from 'vitest';
import type { DebugStep } from '../generated/prisma/client.ts';
import { serialiseSorted, sortKeysDeep } from '../util/json.ts';
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
