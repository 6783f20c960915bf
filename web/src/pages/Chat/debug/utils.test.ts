// Case 38 (debugPanelUtils) and defensive parsing (web-ui.md 4.8, 4.9).
import { describe, expect, test } from 'vitest';
import {
  attemptTiming,
  clampText,
  compareRuns,
  decodeBody,
  formatDuration,
  formatTokens,
  humanDuration,
  kindLabel,
  normalizeAttempts,
  runLabel,
  runModel,
  runTokens,
  statusTone,
  stepError,
  stepMaxTokens,
  stepMessages,
  stepOptions,
  stepOutput,
  stepPolicy,
  stepTokens,
  stepTools,
  stepUsageEntries,
  unwrapJson,
} from './utils.ts';

const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

describe('38. debugPanelUtils', () => {
  test('clamps are surrogate-pair safe', () => {
    const emoji = '😀'.repeat(100);
    const clamped = clampText(emoji, 80);
    expect(Array.from(clamped)).toHaveLength(80);
    expect(clamped.endsWith('😀…')).toBe(true);
    expect(clamped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(clampText('short', 80)).toBe('short');
    expect(clampText('x'.repeat(80), 80)).toBe('x'.repeat(80));
    expect(runLabel({ id: 'r', kind: 'chat_turn', summary: { firstMessage: `${'é'.repeat(90)}` } }).text).toBe(`${'é'.repeat(79)}…`);
  });

  test('durations: "850ms", "1.3s", "2.0s", "2m 5s", "2m"; negative durations clamped to 0', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1300)).toBe('1.3s');
    expect(formatDuration(2000)).toBe('2.0s');
    expect(formatDuration(125_000)).toBe('2m 5s');
    expect(formatDuration(120_200)).toBe('2m');
    expect(formatDuration(-50)).toBe('0ms');
    expect(formatDuration(undefined)).toBe('-');
    expect(formatDuration(59_960)).toBe('1m');
  });

  test('tokens: "1,234→56 tok", one side only, or nothing; numbers formatted en-US', () => {
    expect(formatTokens(1234, 56)).toBe('1,234→56 tok');
    expect(formatTokens(1234, undefined)).toBe('1,234 in');
    expect(formatTokens(undefined, 56)).toBe('56 out');
    expect(formatTokens(undefined, undefined)).toBe('');
    expect(runTokens({ id: 'r', summary: { total_input_tokens: 1234, total_output_tokens: 56 } })).toBe('1,234→56 tok');
    expect(runTokens({ id: 'r', summary: { prompt_tokens: '1234567', completion_tokens: '8' } })).toBe('1,234,567→8 tok');
    expect(stepTokens({ usage: { input_tokens: '150', output_tokens: '42' } })).toBe('150→42 tok');
    expect(stepTokens({ normalized_response: { usage: { inputTokens: 3, outputTokens: 4 } } })).toBe('3→4 tok');
  });

  test('max_tokens is read as max_output_tokens (and the camelCase aliases)', () => {
    expect(stepMaxTokens({ normalized_request: { options: { max_tokens: 512 } } })).toBe(512);
    expect(stepMaxTokens({ normalized_request: { options: { maxTokens: '256' } } })).toBe(256);
    expect(stepMaxTokens({ normalized_request: { max_tokens: 1024 } })).toBe(1024);
    expect(stepOptions({ normalized_request: { options: { topP: 0.9, maxOutputTokens: 10, presencePenalty: 1, stop: ['x'] } } })).toEqual([
      ['top_p', 0.9],
      ['max_output_tokens', 10],
      ['presence_penalty', 1],
      ['stop', ['x']],
    ]);
  });

  test('base64 JSON and text bodies are decoded; invalid UTF-8 and plain strings are kept', () => {
    expect(decodeBody(b64('{"a":1}'))).toEqual({ a: 1 });
    expect(decodeBody('{"a":1}')).toEqual({ a: 1 });
    expect(decodeBody(b64('event: ping\n'))).toBe('event: ping\n');
    expect(decodeBody('W1RSVU5DQVRFRF0=')).toBe('[TRUNCATED]');
    expect(decodeBody('[REDACTED]')).toBe('[REDACTED]');
    expect(decodeBody('//79')).toBe('//79'); // bytes ff fe fd: not UTF-8
    expect(decodeBody('hello world')).toBe('hello world');
    expect(decodeBody(undefined)).toBeUndefined();
    expect(decodeBody({ already: 'json' })).toEqual({ already: 'json' });
  });

  test('kind labels and badge colours', () => {
    expect(['chat_turn', 'title_generation', 'compaction', 'quickgen', 'tool_call_summary', '', undefined].map(kindLabel)).toEqual([
      'Chat Turn',
      'Title Generation',
      'Compaction',
      'Quick Gen',
      'Tool Call Summary',
      'Unknown',
      'Unknown',
    ]);
    const tones = (list: string[]) => list.map(statusTone);
    expect(tones(['completed', 'SUCCESS', 'succeeded', 'ok'])).toEqual(['success', 'success', 'success', 'success']);
    expect(tones(['failed', 'error', 'errored', 'interrupted', 'cancelled', 'Canceled'])).toEqual(Array(6).fill('destructive'));
    expect(tones(['running', 'in_progress', 'processing', 'started'])).toEqual(Array(4).fill('info'));
    expect(tones(['pending', 'queued', 'retrying', 'scheduled'])).toEqual(Array(4).fill('warning'));
    expect(tones(['weird', ''])).toEqual(['default', 'default']);
  });

  test('labels fall back to the kind; the model comes from the summary, else the run; never the provider', () => {
    expect(runLabel({ id: 'r', kind: 'compaction', summary: {} })).toEqual({ text: 'Compaction', isFirstMessage: false });
    expect(runLabel({ id: 'r', kind: 'compaction', summary: { primary_label: 'Summarise' } })).toEqual({ text: 'Summarise', isFirstMessage: true });
    expect(runModel({ id: 'r', model: 'gpt-4o', summary: { model: 'gpt-5' } })).toBe('gpt-5');
    expect(runModel({ id: 'r', model: 'gpt-4o', summary: '{"x":1}' })).toBe('gpt-4o');
  });

  test('runs sort newest first by started_at, then updated_at when started_at is missing', () => {
    const runs = [
      { id: 'a', started_at: '2026-05-07T10:00:00Z' },
      { id: 'b', updated_at: '2026-05-07T10:02:00Z' },
      { id: 'c', started_at: '2026-05-07T10:01:00.123456789Z' },
      { id: 'd', started_at: 'garbage' },
    ];
    expect([...runs].sort(compareRuns).map((r) => r.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  test('attempt timing and human durations', () => {
    expect(humanDuration(1500)).toBe('1 second and 500 milliseconds');
    expect(humanDuration(62_500)).toBe('1 minute, 2 seconds and 500 milliseconds');
    expect(humanDuration(3_723_004)).toBe('1 hour, 2 minutes and 3 seconds');
    expect(humanDuration(0)).toBe('0 milliseconds');
    expect(humanDuration(undefined)).toBe('Duration unavailable');
    const start = new Date(2026, 4, 7, 9, 5, 7).toISOString();
    const end = new Date(2026, 4, 7, 9, 5, 8).toISOString();
    expect(attemptTiming({ number: 1, startedAt: start, finishedAt: end, durationMs: 1000 })).toBe('09:05:07 → 09:05:08 • 1 second');
    expect(attemptTiming({ number: 1, startedAt: start, durationMs: 'x' })).toBe('09:05:07 → in progress • Duration unavailable');
    expect(attemptTiming({ number: 1, status: 'failed' })).toBe('- → - • Duration unavailable');
  });
});

describe('defensive parsing', () => {
  test('attempts: arrays, JSON strings and keyed objects, sorted by number; anything else is unparseable', () => {
    const list = normalizeAttempts([{ number: 2 }, { attempt_number: 1 }, { number: '3' }]);
    expect(list.kind === 'list' && list.attempts.map((a) => a.number)).toEqual([1, 2, 3]);
    const fromString = normalizeAttempts(JSON.stringify([{ number: 1, method: 'post', url: 'https://x.test/v1/chat?key=1' }]));
    expect(fromString.kind === 'list' && fromString.attempts[0]).toMatchObject({ number: 1, method: 'POST', path: '/v1/chat' });
    const keyed = normalizeAttempts({ second: { number: 2 }, first: { number: 1 } });
    expect(keyed.kind === 'list' && keyed.attempts.map((a) => a.number)).toEqual([1, 2]);
    expect(normalizeAttempts([]).kind).toBe('none');
    expect(normalizeAttempts({}).kind).toBe('none');
    expect(normalizeAttempts(null).kind).toBe('none');
    expect(normalizeAttempts('[]')).toEqual({ kind: 'list', attempts: [] });
    expect(normalizeAttempts('garbage').kind).toBe('unparseable');
    expect(normalizeAttempts([1, 2]).kind).toBe('unparseable');
    expect(normalizeAttempts(42).kind).toBe('unparseable');
    expect(normalizeAttempts([{ error: 'malformed attempts payload', parse_error: 'x', raw: '"x"' }]).kind).toBe('unparseable');
    // raw_request / raw_response win over the flat fields.
    const raw = normalizeAttempts([{ number: 1, raw_request: { method: 'GET', path: '/p', body: b64('{"q":1}') }, raw_response: { status: 204 }, request_body: 'ignored' }]);
    expect(raw.kind === 'list' && raw.attempts[0]).toMatchObject({ method: 'GET', path: '/p', httpStatus: 204, request: { method: 'GET', path: '/p', body: { q: 1 } }, response: { status: 204 } });
  });

  test('messages: parts, OpenAI content strings and arrays, top-level text, file parts, single tool calls and results', () => {
    const messages = stepMessages({
      normalized_request: {
        messages: [
          { role: 'user', content: 'plain' },
          { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'x' } }] },
          { text: 'top level' },
          { role: 'assistant', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"x":1}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '{"ok":true}' },
          { role: 'user', parts: [{ type: 'file', filename: 'a.png' }] },
          'bare string',
          null,
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'g', input: { y: 2 } }] },
        ],
      },
    });
    expect(messages.map((m) => [m.role, m.text, m.tools.map((t) => `${t.kind}:${t.name ?? ''}:${JSON.stringify(t.payload)}`)])).toEqual([
      ['user', 'plain', []],
      ['user', 'a\n[file: image]', []],
      ['unknown', 'top level', []],
      ['assistant', '', ['call:f:{"x":1}']],
      ['tool', '', ['result::{"ok":true}']],
      ['user', '[file: a.png]', []],
      ['user', 'bare string', []],
      ['assistant', '', ['call:g:{"y":2}']],
    ]);
    expect(messages[3].toolCallId).toBe('c1');
    expect(messages[4].toolCallId).toBe('c1');
    expect(stepMessages({ normalized_request: 'not json' })).toEqual([]);
    expect(stepMessages({ normalized_request: { input: 'just a prompt' } }).map((m) => m.text)).toEqual(['just a prompt']);
  });

  test('output: text, merged streamed tool input, OpenAI choices[0] fallback, warnings; empty shapes give empty views', () => {
    expect(stepOutput({ normalized_response: { content: [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }], finish_reason: 'stop' } })).toEqual({
      text: 'Hi there',
      tools: [],
      finishReason: 'stop',
      warnings: [],
    });
    const streamed = stepOutput({ normalized_response: { content: [{ type: 'tool_input', tool_call_id: 'a', tool_name: 'f', arguments: '{"k":' }, { type: 'tool_input', tool_call_id: 'a', arguments: '1}' }] } });
    expect(streamed.tools).toEqual([{ kind: 'call', name: 'f', id: 'a', payload: { k: 1 } }]);
    const openai = stepOutput({ normalized_response: { choices: [{ message: { content: null, tool_calls: [{ id: 'c', function: { name: 'run', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] } });
    expect(openai).toEqual({ text: '', tools: [{ kind: 'call', name: 'run', id: 'c', payload: {} }], finishReason: 'tool_calls', warnings: [] });
    expect(stepOutput({ normalized_response: { warnings: ['w1', { message: 'w2' }, { type: 'other' }] } }).warnings).toEqual(['w1', 'w2', 'other']);
    for (const odd of [undefined, null, 5, 'x', [], { content: 'text only' }, { content: [null, 1, 'str'] }]) {
      expect(() => stepOutput({ normalized_response: odd })).not.toThrow();
    }
  });

  test('tools, usage, policy and errors read snake and camel case; unknown shapes are empty', () => {
    expect(stepTools({ normalized_request: { tools: [{ name: 'a', inputSchema: { type: 'object' } }, { type: 'function', function: { name: 'b', description: 'B', parameters: '{"type":"object"}' } }, 'junk'] } })).toEqual([
      { name: 'a', description: undefined, schema: { type: 'object' } },
      { name: 'b', description: 'B', schema: { type: 'object' } },
    ]);
    expect(stepUsageEntries({ usage: { input_tokens: '150', output_tokens: 42, note: 'x', cache_read_tokens: 0 } })).toEqual([
      ['input_tokens', 150],
      ['output_tokens', 42],
      ['cache_read_tokens', 0],
    ]);
    expect(stepUsageEntries({ usage: 'nonsense' })).toEqual([]);
    expect(stepPolicy({ normalized_request: { toolChoice: 'auto', parallelToolCalls: false, response_format: { type: 'json' } } })).toEqual([
      ['tool_choice', 'auto'],
      ['response_format', { type: 'json' }],
      ['parallel_tool_calls', false],
    ]);
    expect(stepPolicy({ normalized_request: { tool_choice: 'none', policy: { structured_output: true } } })).toEqual([['structured_output', true]]);
    expect(stepError({ error: { message: 'boom', type: 'x' } })).toEqual({ text: 'boom', copyLabel: 'Copy error text' });
    expect(stepError({ error: 'plain' })).toEqual({ text: 'plain', copyLabel: 'Copy error text' });
    expect(stepError({ error: { code: 1 } })).toEqual({ text: '{\n  "code": 1\n}', copyLabel: 'Copy error JSON' });
    expect(stepError({ error: {} })).toBeUndefined();
    expect(stepError({ error: '' })).toBeUndefined();
    expect(unwrapJson('{"a":1}')).toEqual({ a: 1 });
    expect(unwrapJson('{broken')).toBe('{broken');
  });
});
