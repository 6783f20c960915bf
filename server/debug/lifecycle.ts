import { isPlainObject } from '../util/json.ts';

export const DEBUG_STATUSES = ['in_progress', 'interrupted', 'error', 'completed'] as const;
export type DebugStatus = (typeof DEBUG_STATUSES)[number];
export const isDebugStatus = (v: unknown): v is DebugStatus => typeof v === 'string' && (DEBUG_STATUSES as readonly string[]).includes(v);

export const RUN_KINDS = ['chat_turn', 'title_generation', 'quickgen', 'compaction'] as const;
export const STEP_OPERATIONS = ['stream', 'generate'] as const;

/** in_progress 0 < interrupted 1 < error 2 < completed 3 (13.3). */
export const statusPriority = (status: string) => Math.max(0, DEBUG_STATUSES.indexOf(status as DebugStatus));
export const isTerminal = (status: string) => status !== 'in_progress';

/** Whether an update carrying `next` applies to a row whose status is `current`. */
export function statusUpdateApplies(current: string, next: string | undefined): boolean {
  if (next === undefined || !isTerminal(current)) return true;
  return statusPriority(next) >= statusPriority(current);
}

const DERIVED_KEYS = [
  'step_count',
  'total_input_tokens',
  'total_output_tokens',
  'total_reasoning_tokens',
  'total_cache_creation_tokens',
  'total_cache_read_tokens',
  'endpoint_label',
  'has_error',
];

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_creation_tokens', 'cache_read_tokens'] as const;

export interface StepForSummary {
  stepNumber: number;
  status: string;
  usage: unknown;
  error: unknown;
  attempts: unknown;
}

/** Recomputes the derived summary keys from the run's steps and merges them in (13.5). */
export function aggregateSummary(stored: unknown, steps: StepForSummary[]): Record<string, unknown> {
  const summary: Record<string, unknown> = isPlainObject(stored) ? { ...stored } : {};
  for (const key of DERIVED_KEYS) delete summary[key];
  const ordered = [...steps].sort((a, b) => a.stepNumber - b.stepNumber);
  summary.step_count = ordered.length;

  const totals = Object.fromEntries(USAGE_KEYS.map((k) => [k, 0])) as Record<(typeof USAGE_KEYS)[number], number>;
  for (const step of ordered) {
    if (!isPlainObject(step.usage)) continue;
    const values = USAGE_KEYS.map((k) => step.usage && (step.usage as Record<string, unknown>)[k]);
    // A step whose usage is not an object of integers is skipped.
    if (Object.values(step.usage).some((v) => typeof v !== 'number' || !Number.isInteger(v))) continue;
    USAGE_KEYS.forEach((k, i) => (totals[k] += typeof values[i] === 'number' ? (values[i] as number) : 0));
  }
  summary.total_input_tokens = totals.input_tokens;
  summary.total_output_tokens = totals.output_tokens;
  if (totals.reasoning_tokens > 0) summary.total_reasoning_tokens = totals.reasoning_tokens;
  if (totals.cache_creation_tokens > 0) summary.total_cache_creation_tokens = totals.cache_creation_tokens;
  if (totals.cache_read_tokens > 0) summary.total_cache_read_tokens = totals.cache_read_tokens;

  const hasError = ordered.some(
    (s) => s.status === 'error' || (s.status !== 'interrupted' && s.error !== null && s.error !== undefined),
  );
  if (hasError) summary.has_error = true;

  for (const step of ordered) {
    if (!Array.isArray(step.attempts)) continue;
    const attempt = step.attempts.find(
      (a) => isPlainObject(a) && a.status === 'completed' && typeof a.path === 'string' && a.path !== '',
    ) as Record<string, unknown> | undefined;
    if (attempt) {
      const method = typeof attempt.method === 'string' ? attempt.method : '';
      summary.endpoint_label = method ? `${method} ${attempt.path}` : attempt.path;
      break;
    }
  }
  return summary;
}
