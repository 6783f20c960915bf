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
  'advisor_step_count',
  'advisor_input_tokens',
  'advisor_output_tokens',
  'advisor_reasoning_tokens',
  'advisor_cache_creation_tokens',
  'advisor_cache_read_tokens',
];

/**
 * The metadata key that marks a step as an advisor call: the use id that POST …/advisor/uses
 * reserved for it. Such steps are kept out of the chat's usage totals and summed as advisor_* (4a).
 */
export const ADVISOR_USE_KEY = 'advisor_use_id';

export const isAdvisorStep = (metadata: unknown) =>
  isPlainObject(metadata) && typeof metadata[ADVISOR_USE_KEY] === 'string' && metadata[ADVISOR_USE_KEY] !== '';

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_creation_tokens', 'cache_read_tokens'] as const;

export interface StepForSummary {
  stepNumber: number;
  status: string;
  usage: unknown;
  error: unknown;
  attempts: unknown;
  metadata: unknown;
}

type UsageTotals = Record<(typeof USAGE_KEYS)[number], number>;

/** Token totals over steps whose usage is an object of integers; any other usage is skipped. */
function sumUsage(steps: StepForSummary[]): UsageTotals {
  const totals = Object.fromEntries(USAGE_KEYS.map((k) => [k, 0])) as UsageTotals;
  for (const step of steps) {
    if (!isPlainObject(step.usage)) continue;
    const usage = step.usage;
    if (Object.values(usage).some((v) => typeof v !== 'number' || !Number.isInteger(v))) continue;
    for (const k of USAGE_KEYS) totals[k] += typeof usage[k] === 'number' ? (usage[k] as number) : 0;
  }
  return totals;
}

/** Sets `<prefix>input_tokens` and `<prefix>output_tokens`, and the other three only when > 0. */
function setTotals(summary: Record<string, unknown>, prefix: string, totals: UsageTotals) {
  summary[`${prefix}input_tokens`] = totals.input_tokens;
  summary[`${prefix}output_tokens`] = totals.output_tokens;
  if (totals.reasoning_tokens > 0) summary[`${prefix}reasoning_tokens`] = totals.reasoning_tokens;
  if (totals.cache_creation_tokens > 0) summary[`${prefix}cache_creation_tokens`] = totals.cache_creation_tokens;
  if (totals.cache_read_tokens > 0) summary[`${prefix}cache_read_tokens`] = totals.cache_read_tokens;
}

/** Recomputes the derived summary keys from the run's steps and merges them in (13.5). */
export function aggregateSummary(stored: unknown, steps: StepForSummary[]): Record<string, unknown> {
  const summary: Record<string, unknown> = isPlainObject(stored) ? { ...stored } : {};
  for (const key of DERIVED_KEYS) delete summary[key];
  const ordered = [...steps].sort((a, b) => a.stepNumber - b.stepNumber);
  summary.step_count = ordered.length;

  // Advisor calls are recorded like any other call but not counted toward the chat's usage (4a).
  const advisor: StepForSummary[] = [];
  const chat: StepForSummary[] = [];
  for (const step of ordered) (isAdvisorStep(step.metadata) ? advisor : chat).push(step);
  setTotals(summary, 'total_', sumUsage(chat));
  if (advisor.length > 0) {
    summary.advisor_step_count = advisor.length;
    setTotals(summary, 'advisor_', sumUsage(advisor));
  }

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
