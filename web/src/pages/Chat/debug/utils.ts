// Defensive parsing and formats of the Debug tab (web-ui.md 4.4–4.9). Every payload is untrusted:
// JSON strings are unwrapped, numeric strings become numbers, snake_case and camelCase aliases are
// both read, and unknown shapes fall back to empty views. Nothing here throws.

export type Json = Record<string, unknown>;
export type StatusTone = 'success' | 'destructive' | 'info' | 'warning' | 'default';

// ---------- Primitive readers ----------

const JSON_START = /^\s*[[{]/;

/** A string holding a JSON object or array becomes that value; anything else is returned as is. */
export function unwrapJson(value: unknown): unknown {
  if (typeof value !== 'string' || !JSON_START.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object (or a JSON string holding one), else undefined. */
export function asRecord(value: unknown): Json | undefined {
  const unwrapped = unwrapJson(value);
  return isRecord(unwrapped) ? unwrapped : undefined;
}

/** An array (or a JSON string holding one), else undefined. */
export function asArray(value: unknown): unknown[] | undefined {
  const unwrapped = unwrapJson(value);
  return Array.isArray(unwrapped) ? unwrapped : undefined;
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A finite number, or a numeric string ("150") as a number. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A non-blank string (kept as is), else undefined. */
export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The first of `keys` present with a value other than null/undefined. */
export function pick(record: Json | undefined, keys: readonly string[]): unknown {
  if (!record) return undefined;
  for (const key of keys) {
    const value = record[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

export const pickNumber = (record: Json | undefined, keys: readonly string[]) => {
  if (!record) return undefined;
  for (const key of keys) {
    const n = asNumber(record[key]);
    if (n !== undefined) return n;
  }
  return undefined;
};

export const pickText = (record: Json | undefined, keys: readonly string[]) => {
  if (!record) return undefined;
  for (const key of keys) {
    const t = asText(record[key]);
    if (t !== undefined) return t;
  }
  return undefined;
};

/** The server's stand-in for a stored payload of the wrong JSON type (rest-api.md 11.4). */
export function isMalformedPayload(value: unknown): boolean {
  return isRecord(value) && (value.error === 'malformed debug payload' || value.error === 'malformed attempts payload') && 'raw' in value;
}

// ---------- Text ----------

/** At most `max` code points (surrogate pairs stay whole); longer text keeps max − 1 plus "…". */
export function clampText(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export const codePointLength = (text: string) => Array.from(text).length;

/** Pretty JSON for a code block: strings as they are, undefined as empty, unserialisable via String(). */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value, null, 2);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

// ---------- Numbers, durations, tokens ----------

export const formatNumber = (n: number) => n.toLocaleString('en-US');

/** "850ms", "1.3s", "2.0s", "2m 5s", "2m"; negative durations count as 0. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)}ms`;
  if (value < 60_000) {
    const seconds = (Math.round(value / 100) / 10).toFixed(1);
    // 59,960 ms rounds to "60.0s": say one minute instead.
    if (seconds !== '60.0') return `${seconds}s`;
  }
  const total = Math.round(value / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
}

export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** finished − started, or now − started while unfinished; undefined when a time cannot be parsed. */
export function elapsedMs(startedAt: unknown, finishedAt: unknown, now: number): number | undefined {
  const start = parseTime(startedAt);
  if (start === undefined) return undefined;
  if (finishedAt === undefined || finishedAt === null || finishedAt === '') return now - start;
  const end = parseTime(finishedAt);
  return end === undefined ? undefined : end - start;
}

/** "1,234→56 tok", "1,234 in", "56 out", or "" when neither side is known. */
export function formatTokens(input: number | undefined, output: number | undefined): string {
  if (input !== undefined && output !== undefined) return `${formatNumber(input)}→${formatNumber(output)} tok`;
  if (input !== undefined) return `${formatNumber(input)} in`;
  if (output !== undefined) return `${formatNumber(output)} out`;
  return '';
}

const INPUT_TOKEN_KEYS = ['input_tokens', 'inputTokens', 'prompt_tokens', 'promptTokens'];
const OUTPUT_TOKEN_KEYS = ['output_tokens', 'outputTokens', 'completion_tokens', 'completionTokens'];

export function usageTokens(usage: unknown): { input?: number; output?: number } {
  const record = asRecord(usage);
  return { input: pickNumber(record, INPUT_TOKEN_KEYS), output: pickNumber(record, OUTPUT_TOKEN_KEYS) };
}

const UNITS: [string, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
  ['millisecond', 1],
];

/** "1 second and 500 milliseconds": at most three units; "Duration unavailable" without a value. */
export function humanDuration(ms: unknown): string {
  const value = asNumber(ms);
  if (value === undefined || value < 0) return 'Duration unavailable';
  let rest = Math.round(value);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && parts.length < 3) parts.push(`${formatNumber(count)} ${unit}${count === 1 ? '' : 's'}`);
  }
  if (parts.length === 0) return '0 milliseconds';
  if (parts.length === 1) return parts[0];
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local 24-hour "HH:mm:ss", or undefined when the time cannot be parsed. */
export function clockTime(value: unknown): string | undefined {
  const time = parseTime(value);
  if (time === undefined) return undefined;
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// ---------- Kinds and statuses ----------

const KIND_LABELS: Record<string, string> = {
  chat_turn: 'Chat Turn',
  title_generation: 'Title Generation',
  compaction: 'Compaction',
  quickgen: 'Quick Gen',
};

/** "Chat Turn", "Title Generation", …; other kinds humanised; an empty kind is "Unknown". */
export function kindLabel(kind: unknown): string {
  const text = typeof kind === 'string' ? kind.trim() : '';
  if (text === '') return 'Unknown';
  if (KIND_LABELS[text]) return KIND_LABELS[text];
  return text
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

const SUCCESS = new Set(['completed', 'success', 'succeeded', 'ok']);
const DESTRUCTIVE = new Set(['failed', 'error', 'errored', 'interrupted', 'cancelled', 'canceled']);
const ACTIVE = new Set(['running', 'in_progress', 'processing', 'started']);
const WAITING = new Set(['pending', 'queued', 'retrying', 'scheduled']);

const statusKey = (status: unknown) => (typeof status === 'string' ? status.trim().toLowerCase() : '');

export function statusTone(status: unknown): StatusTone {
  const key = statusKey(status);
  if (SUCCESS.has(key)) return 'success';
  if (DESTRUCTIVE.has(key)) return 'destructive';
  if (ACTIVE.has(key)) return 'info';
  if (WAITING.has(key)) return 'warning';
  return 'default';
}

export const isActiveStatus = (status: unknown) => ACTIVE.has(statusKey(status));

/** Statuses after which a run no longer changes (the server's terminal set and their synonyms). */
export const isTerminalStatus = (status: unknown) => SUCCESS.has(statusKey(status)) || DESTRUCTIVE.has(statusKey(status));

/** The raw status string for a badge, or "unknown". */
export const statusText = (status: unknown) => (typeof status === 'string' && status !== '' ? status : 'unknown');

// ---------- Runs ----------

/** A run as the list and the detail share it (REST snake_case keys). */
export interface RunLike {
  id: string;
  kind?: unknown;
  status?: unknown;
  model?: unknown;
  summary?: unknown;
  started_at?: unknown;
  updated_at?: unknown;
  finished_at?: unknown;
  steps?: unknown;
}

const FIRST_MESSAGE_KEYS = ['first_message', 'firstMessage', 'primary_label', 'primaryLabel'];
export const RUN_LABEL_MAX = 80;

/** The row label: the first message clamped to 80 code points, else the kind label. */
export function runLabel(run: RunLike): { text: string; isFirstMessage: boolean } {
  const first = pickText(asRecord(run.summary), FIRST_MESSAGE_KEYS);
  if (first !== undefined) return { text: clampText(first.trim(), RUN_LABEL_MAX), isFirstMessage: true };
  return { text: kindLabel(run.kind), isFirstMessage: false };
}

export function runModel(run: RunLike): string | undefined {
  return pickText(asRecord(run.summary), ['model']) ?? asText(run.model);
}

export function runTokens(run: RunLike): string {
  const summary = asRecord(run.summary);
  return formatTokens(
    pickNumber(summary, ['total_input_tokens', 'totalInputTokens', ...INPUT_TOKEN_KEYS]),
    pickNumber(summary, ['total_output_tokens', 'totalOutputTokens', ...OUTPUT_TOKEN_KEYS]),
  );
}

/** "1 step" / "N steps", or undefined when 0 or unknown. */
export function stepCountLabel(count: number | undefined): string | undefined {
  if (count === undefined || !Number.isFinite(count) || count <= 0) return undefined;
  return count === 1 ? '1 step' : `${formatNumber(count)} steps`;
}

export function summaryStepCount(run: RunLike): number | undefined {
  return pickNumber(asRecord(run.summary), ['step_count', 'stepCount']);
}

/** Newest first by started_at, then updated_at when started_at is missing, then id. */
export function compareRuns(a: RunLike, b: RunLike): number {
  const ta = parseTime(a.started_at) ?? parseTime(a.updated_at) ?? -Infinity;
  const tb = parseTime(b.started_at) ?? parseTime(b.updated_at) ?? -Infinity;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

// ---------- Steps ----------

export interface StepLike {
  id?: unknown;
  step_number?: unknown;
  status?: unknown;
  normalized_request?: unknown;
  normalized_response?: unknown;
  usage?: unknown;
  attempts?: unknown;
  error?: unknown;
  started_at?: unknown;
  finished_at?: unknown;
}

export const stepRequest = (step: StepLike) => asRecord(step.normalized_request) ?? {};
export const stepResponse = (step: StepLike) => asRecord(step.normalized_response);

export function stepModel(step: StepLike): string | undefined {
  return pickText(stepRequest(step), ['model']) ?? pickText(stepResponse(step), ['model']);
}

/** The step's usage: `usage`, else `normalized_response.usage`. */
export function stepUsage(step: StepLike): unknown {
  const own = unwrapJson(step.usage);
  if (own !== undefined && own !== null && !(isRecord(own) && Object.keys(own).length === 0)) return own;
  return stepResponse(step)?.usage;
}

export function stepTokens(step: StepLike): string {
  const { input, output } = usageTokens(stepUsage(step));
  return formatTokens(input, output);
}

const OPTION_ALIASES: [string, string[]][] = [
  ['temperature', ['temperature']],
  ['top_p', ['top_p', 'topP']],
  ['top_k', ['top_k', 'topK']],
  ['max_output_tokens', ['max_output_tokens', 'maxOutputTokens', 'max_tokens', 'maxTokens']],
  ['frequency_penalty', ['frequency_penalty', 'frequencyPenalty']],
  ['presence_penalty', ['presence_penalty', 'presencePenalty']],
  ['seed', ['seed']],
  ['stop', ['stop', 'stop_sequences', 'stopSequences']],
];

/** Request options with camelCase aliases folded to snake_case (`options`, else the request's top level). */
export function stepOptions(step: StepLike): [string, unknown][] {
  const request = stepRequest(step);
  const options = asRecord(request.options);
  const entries: [string, unknown][] = [];
  for (const [name, aliases] of OPTION_ALIASES) {
    const value = pick(options, aliases) ?? pick(request, aliases);
    if (value !== undefined) entries.push([name, name === 'stop' ? value : (asNumber(value) ?? value)]);
  }
  return entries;
}

export function stepMaxTokens(step: StepLike): number | undefined {
  return asNumber(stepOptions(step).find(([name]) => name === 'max_output_tokens')?.[1]);
}

const POLICY_KEYS: [string, string[]][] = [
  ['tool_choice', ['tool_choice', 'toolChoice']],
  ['response_format', ['response_format', 'responseFormat']],
  ['structured_output', ['structured_output', 'structuredOutput']],
  ['parallel_tool_calls', ['parallel_tool_calls', 'parallelToolCalls']],
];

/** Policy metadata derived from the request: `normalized_request.policy` when an object, else its top level. */
export function stepPolicy(step: StepLike): [string, unknown][] {
  const request = stepRequest(step);
  const source = asRecord(request.policy) ?? request;
  const entries: [string, unknown][] = [];
  for (const [name, aliases] of POLICY_KEYS) {
    const value = pick(source, aliases);
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

export function stepToolChoice(step: StepLike): string | undefined {
  const request = stepRequest(step);
  const value = pick(request, ['tool_choice', 'toolChoice']) ?? pick(asRecord(request.policy), ['tool_choice', 'toolChoice']);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : prettyJson(value);
}

/** Every numeric usage entry; a malformed usage payload shows its fields as they are. */
export function stepUsageEntries(step: StepLike): [string, unknown][] {
  const usage = asRecord(stepUsage(step));
  if (!usage) return [];
  if (isMalformedPayload(usage)) return Object.entries(usage);
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(usage)) {
    const n = asNumber(value);
    if (n !== undefined) entries.push([key, n]);
  }
  return entries;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  schema?: unknown;
}

export function stepTools(step: StepLike): ToolDefinition[] {
  const tools = asArray(stepRequest(step).tools) ?? [];
  const out: ToolDefinition[] = [];
  for (const item of tools) {
    const tool = asRecord(item);
    if (!tool) continue;
    const fn = asRecord(tool.function);
    const name = pickText(tool, ['name']) ?? pickText(fn, ['name']) ?? 'tool';
    const description = pickText(tool, ['description']) ?? pickText(fn, ['description']);
    const schema = pick(tool, ['input_schema', 'inputSchema', 'parameters']) ?? pick(fn, ['parameters']);
    out.push({ name, description, schema: schema === undefined ? undefined : unwrapJson(schema) });
  }
  return out;
}

// ---------- Transcript (Input) and Output ----------

export interface ToolCard {
  kind: 'call' | 'result';
  name?: string;
  id?: string;
  payload: unknown;
}

export interface TranscriptMessage {
  role: string;
  text: string;
  toolName?: string;
  toolCallId?: string;
  tools: ToolCard[];
}

const TOOL_CALL_TYPES = new Set(['tool-call', 'tool_call', 'toolcall', 'tool_use', 'function_call', 'function-call']);
const TOOL_RESULT_TYPES = new Set(['tool-result', 'tool_result', 'toolresult', 'function_call_output', 'function-result']);

function toolPayload(value: unknown): unknown {
  return unwrapJson(value);
}

function toolFromPart(part: Json): ToolCard | undefined {
  const type = statusKey(part.type);
  const fn = asRecord(part.function);
  const name = pickText(part, ['tool_name', 'toolName', 'name']) ?? pickText(fn, ['name']);
  const id = pickText(part, ['tool_call_id', 'toolCallId', 'tool_use_id', 'toolUseId', 'call_id', 'id']);
  if (TOOL_CALL_TYPES.has(type)) {
    return { kind: 'call', name, id, payload: toolPayload(pick(part, ['arguments', 'args', 'input']) ?? pick(fn, ['arguments'])) };
  }
  if (TOOL_RESULT_TYPES.has(type)) {
    return { kind: 'result', name, id, payload: toolPayload(pick(part, ['result', 'output', 'content'])) };
  }
  return undefined;
}

function partText(part: Json): string | undefined {
  const type = statusKey(part.type);
  if (type === 'file' || type === 'image' || type === 'image_url') {
    const name = pickText(part, ['filename', 'file_name', 'fileName', 'name']) ?? pickText(asRecord(part.file), ['filename', 'name']) ?? pickText(part, ['media_type', 'mediaType']) ?? (type === 'file' ? 'file' : 'image');
    return `[file: ${name}]`;
  }
  const text = pick(part, ['text', 'content']);
  return typeof text === 'string' ? text : undefined;
}

function normalizeMessage(value: unknown): TranscriptMessage | undefined {
  if (typeof value === 'string') return { role: 'user', text: value, tools: [] };
  const message = asRecord(value);
  if (!message) return undefined;
  const role = pickText(message, ['role', 'type']) ?? 'unknown';
  const texts: string[] = [];
  const tools: ToolCard[] = [];
  const parts = asArray(message.parts) ?? asArray(message.content);
  if (parts) {
    for (const item of parts) {
      if (typeof item === 'string') {
        texts.push(item);
        continue;
      }
      const part = asRecord(item);
      if (!part) continue;
      const tool = toolFromPart(part);
      if (tool) tools.push(tool);
      else {
        const text = partText(part);
        if (text !== undefined) texts.push(text);
      }
    }
  } else if (typeof message.content === 'string') texts.push(message.content);
  else if (typeof message.text === 'string') texts.push(message.text);
  // OpenAI assistant tool calls.
  for (const item of asArray(message.tool_calls ?? message.toolCalls) ?? []) {
    const call = asRecord(item);
    if (!call) continue;
    const fn = asRecord(call.function);
    tools.push({ kind: 'call', name: pickText(fn, ['name']) ?? pickText(call, ['name']), id: pickText(call, ['id']), payload: toolPayload(pick(fn, ['arguments']) ?? pick(call, ['arguments', 'input'])) });
  }
  const toolCallId = pickText(message, ['tool_call_id', 'toolCallId']);
  const toolName = pickText(message, ['name', 'tool_name', 'toolName']);
  // An OpenAI tool message is one tool result.
  if ((role === 'tool' || role === 'function') && tools.length === 0 && texts.length > 0 && toolCallId !== undefined) {
    return { role, text: '', toolName, toolCallId, tools: [{ kind: 'result', name: toolName, id: toolCallId, payload: toolPayload(texts.join('\n')) }] };
  }
  const single = tools.length === 1 && texts.every((t) => t.trim() === '') ? tools[0] : undefined;
  return {
    role,
    text: texts.join('\n'),
    toolName: toolName ?? single?.name,
    toolCallId: toolCallId ?? single?.id,
    tools,
  };
}

/** `normalized_request.messages` (or `input`) as transcript messages. */
export function stepMessages(step: StepLike): TranscriptMessage[] {
  const request = stepRequest(step);
  const raw = pick(request, ['messages', 'input', 'prompt']);
  const list = asArray(raw) ?? (typeof raw === 'string' ? [raw] : []);
  const messages: TranscriptMessage[] = [];
  const system = asText(request.system);
  if (system !== undefined && !list.some((m) => asRecord(m)?.role === 'system')) messages.push({ role: 'system', text: system, tools: [] });
  for (const item of list) {
    const message = normalizeMessage(item);
    if (message) messages.push(message);
  }
  return messages;
}

export function roleTone(role: string): 'purple' | 'info' | 'success' | 'warning' | 'neutral' {
  switch (role.toLowerCase()) {
    case 'system':
      return 'purple';
    case 'user':
      return 'info';
    case 'assistant':
      return 'success';
    case 'tool':
    case 'function':
      return 'warning';
    default:
      return 'neutral';
  }
}

export interface StepOutput {
  text: string;
  tools: ToolCard[];
  finishReason?: string;
  warnings: string[];
}

function warningText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const warning = asRecord(value);
  if (!warning) return undefined;
  const message = pickText(warning, ['message', 'details']);
  if (message) return message;
  const setting = pickText(warning, ['setting', 'tool']);
  const type = pickText(warning, ['type']);
  if (type && setting) return `${type}: ${setting}`;
  return type ?? setting ?? prettyJson(warning);
}

/** The response text, tool calls (streamed tool_input parts merged by id), finish reason and warnings. */
export function stepOutput(step: StepLike): StepOutput {
  const response = stepResponse(step) ?? {};
  const texts: string[] = [];
  const tools: ToolCard[] = [];
  const streamed = new Map<string, { name?: string; chunks: string[] }>();
  const content = asArray(response.content) ?? (typeof response.content === 'string' ? [response.content] : []);
  for (const item of content) {
    if (typeof item === 'string') {
      texts.push(item);
      continue;
    }
    const part = asRecord(item);
    if (!part) continue;
    const type = statusKey(part.type);
    if (type === 'tool_input' || type === 'tool-input' || type === 'tool-input-delta') {
      const id = pickText(part, ['tool_call_id', 'toolCallId', 'id']) ?? '';
      const entry = streamed.get(id) ?? { chunks: [] };
      entry.name ??= pickText(part, ['tool_name', 'toolName', 'name']);
      const chunk = pick(part, ['arguments', 'delta', 'input', 'text']);
      if (typeof chunk === 'string') entry.chunks.push(chunk);
      streamed.set(id, entry);
      continue;
    }
    const tool = toolFromPart(part);
    if (tool) {
      tools.push(tool);
      continue;
    }
    if (type === 'text' || type === '') {
      const text = pickText(part, ['text']);
      if (text !== undefined) texts.push(text);
    }
  }
  // Streamed arguments complete a tool call of the same id; unmatched ones become calls of their own.
  for (const [id, entry] of streamed) {
    const call = tools.find((t) => t.kind === 'call' && (t.id ?? '') === id);
    const merged = entry.chunks.join('');
    if (call) {
      if (call.payload === undefined || call.payload === '') call.payload = toolPayload(merged);
      call.name ??= entry.name;
    } else tools.push({ kind: 'call', name: entry.name, id: id || undefined, payload: toolPayload(merged) });
  }
  let finishReason = pickText(response, ['finish_reason', 'finishReason', 'stop_reason']);
  // OpenAI chat completions as a fallback source.
  const choice = asRecord(asArray(response.choices)?.[0]);
  if (choice) {
    const message = asRecord(choice.message) ?? asRecord(choice.delta);
    if (texts.length === 0 && typeof message?.content === 'string' && message.content !== '') texts.push(message.content);
    if (tools.length === 0) tools.push(...(normalizeMessage(message ?? {})?.tools ?? []));
    finishReason ??= pickText(choice, ['finish_reason', 'finishReason']);
  }
  if (texts.length === 0 && typeof response.text === 'string' && response.text !== '') texts.push(response.text);
  const warnings = (asArray(response.warnings) ?? []).map(warningText).filter((w): w is string => w !== undefined);
  return { text: texts.join(''), tools, finishReason, warnings };
}

/** The step error to show: the message of an object error, else its JSON; a plain string as it is. */
export function stepError(step: StepLike): { text: string; copyLabel: string } | undefined {
  const error = step.error;
  if (typeof error === 'string') return error.trim() === '' ? undefined : { text: error, copyLabel: 'Copy error text' };
  const record = isRecord(error) ? error : undefined;
  if (!record || Object.keys(record).length === 0) return undefined;
  const message = asText(record.message);
  if (message !== undefined) return { text: message, copyLabel: 'Copy error text' };
  return { text: prettyJson(record), copyLabel: 'Copy error JSON' };
}

// ---------- Attempts ----------

/** Decodes a captured body: JSON; base64 then JSON; strict base64 then UTF-8 text; else the raw string. */
export function decodeBody(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // not JSON
  }
  const bytes = base64Bytes(value, false);
  if (bytes) {
    const text = utf8(bytes);
    if (text !== undefined) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // base64 of something that is not JSON
      }
    }
  }
  const strict = base64Bytes(value, true);
  if (strict) {
    const text = utf8(strict);
    if (text !== undefined) return text;
  }
  return value;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(value: string, strict: boolean): Uint8Array | undefined {
  const text = strict ? value : value.replace(/\s+/g, '');
  if (text === '' || (strict && !STRICT_BASE64.test(text))) return undefined;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export interface Attempt {
  number: number;
  status?: string;
  method?: string;
  path?: string;
  httpStatus?: number;
  startedAt?: unknown;
  finishedAt?: unknown;
  durationMs?: unknown;
  request?: Json;
  response?: Json;
  error?: unknown;
}

function compact(entries: [string, unknown][]): Json | undefined {
  const out: Json = {};
  for (const [key, value] of entries) if (value !== undefined && value !== null) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}

function pathOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  try {
    return new URL(url, 'http://invalid.local').pathname;
  } catch {
    return undefined;
  }
}

function normalizeAttempt(record: Json, index: number): Attempt {
  const rawRequest = asRecord(pick(record, ['raw_request', 'rawRequest']));
  const rawResponse = asRecord(pick(record, ['raw_response', 'rawResponse']));
  const request = rawRequest
    ? { ...rawRequest, ...('body' in rawRequest ? { body: decodeBody(rawRequest.body) } : {}) }
    : compact([
        ['method', pick(record, ['method'])],
        ['url', pick(record, ['url'])],
        ['path', pick(record, ['path'])],
        ['headers', unwrapJson(pick(record, ['request_headers', 'requestHeaders']))],
        ['body', decodeBody(pick(record, ['request_body', 'requestBody']))],
      ]);
  const response = rawResponse
    ? { ...rawResponse, ...('body' in rawResponse ? { body: decodeBody(rawResponse.body) } : {}) }
    : compact([
        ['status', asNumber(pick(record, ['response_status', 'responseStatus', 'status_code', 'statusCode']))],
        ['headers', unwrapJson(pick(record, ['response_headers', 'responseHeaders']))],
        ['body', decodeBody(pick(record, ['response_body', 'responseBody']))],
      ]);
  const method = pickText(record, ['method']) ?? pickText(rawRequest, ['method']);
  const path = pickText(record, ['path']) ?? pickText(rawRequest, ['path']) ?? pathOf(pick(record, ['url'])) ?? pathOf(rawRequest?.url);
  return {
    number: pickNumber(record, ['number', 'attempt_number', 'attemptNumber', 'attempt']) ?? index + 1,
    status: pickText(record, ['status']),
    method: method?.toUpperCase(),
    path,
    httpStatus: pickNumber(record, ['response_status', 'responseStatus', 'status_code', 'statusCode']) ?? pickNumber(rawResponse, ['status', 'status_code', 'statusCode']),
    startedAt: pick(record, ['started_at', 'startedAt']),
    finishedAt: pick(record, ['finished_at', 'finishedAt']),
    durationMs: pick(record, ['duration_ms', 'durationMs']),
    request,
    response,
    error: pick(record, ['error']),
  };
}

export type AttemptsView = { kind: 'none' } | { kind: 'list'; attempts: Attempt[] } | { kind: 'unparseable'; raw: unknown };

const isAttemptRecord = (value: Json) => ['number', 'attempt_number', 'attemptNumber', 'method', 'request_body', 'raw_request', 'duration_ms'].some((k) => k in value);

/**
 * Attempts from an array, a JSON string or a keyed object, sorted by attempt number. `none` when
 * there is nothing to show ({} or []), `unparseable` for any other shape (the server's malformed
 * attempts fallback included).
 */
export function normalizeAttempts(raw: unknown): AttemptsView {
  if (raw === undefined || raw === null) return { kind: 'none' };
  if (Array.isArray(raw) && raw.length === 0) return { kind: 'none' };
  if (isRecord(raw) && Object.keys(raw).length === 0) return { kind: 'none' };
  const value = unwrapJson(raw);
  let items: unknown[] | undefined;
  if (Array.isArray(value)) items = value;
  else if (isRecord(value)) {
    if (isAttemptRecord(value)) items = [value];
    else if (Object.values(value).every(isRecord)) items = Object.values(value);
  }
  if (!items || !items.every(isRecord) || items.some(isMalformedPayload)) return { kind: 'unparseable', raw };
  const attempts = (items as Json[]).map(normalizeAttempt);
  // Stable: equal numbers keep their captured order.
  attempts.sort((a, b) => a.number - b.number);
  return { kind: 'list', attempts };
}

export function attemptsCount(raw: unknown): number {
  const view = normalizeAttempts(raw);
  return view.kind === 'list' ? view.attempts.length : 0;
}

export function httpStatusTone(status: number): StatusTone {
  return status < 400 ? 'success' : 'destructive';
}

/** "HH:mm:ss → HH:mm:ss • <duration>" for an attempt. */
export function attemptTiming(attempt: Attempt): string {
  const start = clockTime(attempt.startedAt) ?? '-';
  const finished = clockTime(attempt.finishedAt);
  const end = finished ?? (attempt.finishedAt === undefined && !isTerminalStatus(attempt.status) ? 'in progress' : '-');
  return `${start} → ${end} • ${humanDuration(attempt.durationMs)}`;
}
