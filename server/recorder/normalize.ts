import { isPlainObject } from '../util/json.ts';

/** Provider wire formats → the normalized payloads of rest-api.md 12.2. Unknown shapes give {}. */

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const compact = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export type ProviderFormat = 'anthropic' | 'openai' | 'unknown';

export function detectFormat(url: string, body: unknown): ProviderFormat {
  if (/\/v1\/messages\b/.test(url) || (isPlainObject(body) && ('system' in body || 'anthropic_version' in body))) return 'anthropic';
  if (/\/chat\/completions\b/.test(url) || /\/v1\/responses\b/.test(url)) return 'openai';
  return 'unknown';
}

function anthropicParts(content: unknown): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.filter(isPlainObject).map((block) => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: str(block.text) ?? '' };
      case 'thinking':
        return { type: 'reasoning', text: str(block.thinking) ?? '' };
      case 'tool_use':
        return { type: 'tool-call', tool_call_id: str(block.id), tool_name: str(block.name), arguments: JSON.stringify(block.input ?? {}) };
      case 'tool_result':
        return {
          type: 'tool-result',
          tool_call_id: str(block.tool_use_id),
          result: typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? null),
        };
      case 'image':
      case 'document':
        return compact({ type: 'file', media_type: isPlainObject(block.source) ? str(block.source.media_type) : undefined });
      default:
        return { type: String(block.type ?? 'unknown') };
    }
  });
}

function openaiParts(message: Json): Json[] {
  const parts: Json[] = [];
  if (typeof message.content === 'string') parts.push({ type: message.role === 'tool' ? 'tool-result' : 'text', text: message.content });
  else if (Array.isArray(message.content)) {
    for (const part of message.content.filter(isPlainObject)) {
      if (part.type === 'text') parts.push({ type: 'text', text: str(part.text) ?? '' });
      else if (part.type === 'image_url' || part.type === 'file') parts.push({ type: 'file' });
      else parts.push({ type: String(part.type ?? 'unknown') });
    }
  }
  if (message.role === 'tool') {
    return [{ type: 'tool-result', tool_call_id: str(message.tool_call_id), result: typeof message.content === 'string' ? message.content : JSON.stringify(message.content) }];
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls.filter(isPlainObject)) {
      const fn = isPlainObject(call.function) ? call.function : {};
      parts.push({ type: 'tool-call', tool_call_id: str(call.id), tool_name: str(fn.name), arguments: str(fn.arguments) ?? '' });
    }
  }
  return parts;
}

const OPTION_KEYS: [string, string][] = [
  ['max_tokens', 'max_output_tokens'],
  ['max_completion_tokens', 'max_output_tokens'],
  ['max_output_tokens', 'max_output_tokens'],
  ['temperature', 'temperature'],
  ['top_p', 'top_p'],
  ['top_k', 'top_k'],
  ['presence_penalty', 'presence_penalty'],
  ['frequency_penalty', 'frequency_penalty'],
];

export function normalizeRequest(format: ProviderFormat, body: unknown): Json {
  if (!isPlainObject(body)) return {};
  const options: Json = {};
  for (const [from, to] of OPTION_KEYS) if (num(body[from]) !== undefined) options[to] = body[from];
  const messages: Json[] = [];
  let tools: Json[] | undefined;
  if (format === 'anthropic') {
    if (body.system !== undefined) messages.push({ role: 'system', parts: anthropicParts(body.system) });
    for (const m of Array.isArray(body.messages) ? body.messages.filter(isPlainObject) : []) messages.push({ role: str(m.role) ?? 'user', parts: anthropicParts(m.content) });
    if (Array.isArray(body.tools)) {
      tools = body.tools.filter(isPlainObject).map((t) =>
        compact({ type: 'function', name: str(t.name) ?? '', description: str(t.description), has_input_schema: isPlainObject(t.input_schema), input_schema: t.input_schema }),
      );
    }
  } else if (format === 'openai') {
    for (const m of Array.isArray(body.messages) ? body.messages.filter(isPlainObject) : []) messages.push({ role: str(m.role) ?? 'user', parts: openaiParts(m) });
    if (Array.isArray(body.tools)) {
      tools = body.tools.filter(isPlainObject).map((t) => {
        const fn = isPlainObject(t.function) ? t.function : t;
        return compact({ type: str(t.type) ?? 'function', name: str(fn.name) ?? '', description: str(fn.description), has_input_schema: isPlainObject(fn.parameters), input_schema: fn.parameters });
      });
    }
  } else {
    return {};
  }
  const toolChoice = body.tool_choice;
  const choice =
    typeof toolChoice === 'string'
      ? toolChoice
      : isPlainObject(toolChoice)
        ? (str(toolChoice.name) ?? (isPlainObject(toolChoice.function) ? str(toolChoice.function.name) : undefined) ?? str(toolChoice.type))
        : undefined;
  return compact({
    model: str(body.model),
    messages,
    tools,
    options,
    tool_choice: choice,
    response_format: body.response_format,
    parallel_tool_calls: body.parallel_tool_calls,
    provider_option_count: 0,
  });
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  reasoning_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
}

function usageFrom(format: ProviderFormat, raw: unknown): Usage | undefined {
  if (!isPlainObject(raw)) return undefined;
  if (format === 'anthropic') {
    const input = num(raw.input_tokens) ?? 0;
    const output = num(raw.output_tokens) ?? 0;
    return {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      reasoning_tokens: 0,
      cache_creation_tokens: num(raw.cache_creation_input_tokens) ?? 0,
      cache_read_tokens: num(raw.cache_read_input_tokens) ?? 0,
    };
  }
  const input = num(raw.prompt_tokens) ?? num(raw.input_tokens) ?? 0;
  const output = num(raw.completion_tokens) ?? num(raw.output_tokens) ?? 0;
  const details = isPlainObject(raw.completion_tokens_details) ? raw.completion_tokens_details : {};
  const promptDetails = isPlainObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {};
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: num(raw.total_tokens) ?? input + output,
    reasoning_tokens: num(details.reasoning_tokens) ?? 0,
    cache_creation_tokens: 0,
    cache_read_tokens: num(promptDetails.cached_tokens) ?? 0,
  };
}

export interface NormalizedResponse {
  response: Json;
  usage?: Usage;
  streamSummary?: Json;
}

const FINISH: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool-calls', tool_calls: 'tool-calls' };
const finishReason = (r: unknown) => (typeof r === 'string' ? (FINISH[r] ?? r) : undefined);

function fromJson(format: ProviderFormat, body: Json): NormalizedResponse {
  if (format === 'anthropic') {
    const usage = usageFrom(format, body.usage);
    return { response: compact({ content: anthropicParts(body.content), finish_reason: finishReason(body.stop_reason), usage }), usage };
  }
  const choice = Array.isArray(body.choices) && isPlainObject(body.choices[0]) ? body.choices[0] : {};
  const message = isPlainObject(choice.message) ? choice.message : {};
  const usage = usageFrom(format, body.usage);
  return { response: compact({ content: openaiParts({ ...message, role: 'assistant' }), finish_reason: finishReason(choice.finish_reason), usage }), usage };
}

/** Parses a `text/event-stream` body into its JSON data payloads. */
export function parseSse(text: string): unknown[] {
  const events: unknown[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (!data || data === '[DONE]') continue;
    try {
      events.push(JSON.parse(data));
    } catch {
      // not JSON: skipped
    }
  }
  return events;
}

function fromStream(format: ProviderFormat, events: unknown[]): NormalizedResponse {
  let text = '';
  const toolCalls = new Map<string | number, { id?: string; name?: string; args: string }>();
  let finish: string | undefined;
  let usageRaw: Json = {};
  let textDeltas = 0;
  let errors = 0;
  let lastError: string | undefined;
  for (const event of events.filter(isPlainObject)) {
    if (format === 'anthropic') {
      if (event.type === 'message_start' && isPlainObject(event.message) && isPlainObject(event.message.usage)) usageRaw = { ...usageRaw, ...event.message.usage };
      if (event.type === 'content_block_start' && isPlainObject(event.content_block) && event.content_block.type === 'tool_use') {
        toolCalls.set(num(event.index) ?? toolCalls.size, { id: str(event.content_block.id), name: str(event.content_block.name), args: '' });
      }
      if (event.type === 'content_block_delta' && isPlainObject(event.delta)) {
        if (event.delta.type === 'text_delta') {
          text += str(event.delta.text) ?? '';
          textDeltas++;
        } else if (event.delta.type === 'input_json_delta') {
          const call = toolCalls.get(num(event.index) ?? -1);
          if (call) call.args += str(event.delta.partial_json) ?? '';
        }
      }
      if (event.type === 'message_delta') {
        if (isPlainObject(event.delta)) finish = str(event.delta.stop_reason) ?? finish;
        if (isPlainObject(event.usage)) usageRaw = { ...usageRaw, ...event.usage };
      }
      if (event.type === 'error') {
        errors++;
        lastError = isPlainObject(event.error) ? str(event.error.message) : 'stream error';
      }
    } else {
      const choice = Array.isArray(event.choices) && isPlainObject(event.choices[0]) ? event.choices[0] : undefined;
      if (choice && isPlainObject(choice.delta)) {
        if (typeof choice.delta.content === 'string') {
          text += choice.delta.content;
          textDeltas++;
        }
        if (Array.isArray(choice.delta.tool_calls)) {
          for (const call of choice.delta.tool_calls.filter(isPlainObject)) {
            const key = num(call.index) ?? toolCalls.size;
            const entry = toolCalls.get(key) ?? { args: '' };
            const fn = isPlainObject(call.function) ? call.function : {};
            entry.id ??= str(call.id);
            entry.name ??= str(fn.name);
            entry.args += str(fn.arguments) ?? '';
            toolCalls.set(key, entry);
          }
        }
      }
      if (choice) finish = str(choice.finish_reason) ?? finish;
      if (isPlainObject(event.usage)) usageRaw = event.usage;
    }
  }
  const content: Json[] = [];
  if (text) content.push({ type: 'text', text });
  for (const call of toolCalls.values()) content.push(compact({ type: 'tool-call', tool_call_id: call.id, tool_name: call.name, arguments: call.args }));
  const usage = Object.keys(usageRaw).length ? usageFrom(format, usageRaw) : undefined;
  const finish_reason = finishReason(finish);
  return {
    response: compact({ content, finish_reason, usage }),
    usage,
    streamSummary: compact({
      finish_reason,
      text_delta_count: textDeltas,
      tool_call_count: toolCalls.size,
      source_count: 0,
      warning_count: 0,
      error_count: errors,
      last_error: lastError,
      part_count: events.length,
    }),
  };
}

export function normalizeResponse(format: ProviderFormat, contentType: string, bodyText: string): NormalizedResponse | undefined {
  if (format === 'unknown' || !bodyText) return undefined;
  if (contentType.includes('text/event-stream')) return fromStream(format, parseSse(bodyText));
  try {
    const body: unknown = JSON.parse(bodyText);
    return isPlainObject(body) ? fromJson(format, body) : undefined;
  } catch {
    return undefined;
  }
}
