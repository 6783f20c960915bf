import { NIL_UUID } from '../util/uuid.ts';
import { isPlainObject } from '../util/json.ts';

export const REASONING_EFFORTS = ['', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
export const isReasoningEffort = (v: unknown): v is ReasoningEffort =>
  typeof v === 'string' && (REASONING_EFFORTS as readonly string[]).includes(v);

export const ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS = 16_384;

/** The wire shape of GET/PUT /chats/config/advisor, keys in contract order. */
export interface AdvisorConfig {
  enabled: boolean;
  max_uses_per_run: number;
  max_output_tokens: number;
  model_config_id: string;
  reasoning_effort: ReasoningEffort;
}

export const DEFAULT_ADVISOR_CONFIG: AdvisorConfig = {
  enabled: false,
  max_uses_per_run: 0,
  max_output_tokens: 0,
  model_config_id: NIL_UUID,
  reasoning_effort: '',
};

export class StoredAdvisorConfigInvalid extends Error {}

/** Reads the stored value leniently (7.2): negatives read as 0, an unknown effort as "". */
export function readStoredAdvisorConfig(raw: string | null): AdvisorConfig {
  if (raw === null) return { ...DEFAULT_ADVISOR_CONFIG };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new StoredAdvisorConfigInvalid((error as Error).message);
  }
  if (!isPlainObject(value)) {
    throw new StoredAdvisorConfigInvalid(`expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  }
  const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0);
  return {
    enabled: value.enabled === true,
    max_uses_per_run: int(value.max_uses_per_run),
    max_output_tokens: int(value.max_output_tokens),
    model_config_id: typeof value.model_config_id === 'string' && value.model_config_id ? value.model_config_id : NIL_UUID,
    reasoning_effort: isReasoningEffort(value.reasoning_effort) ? value.reasoning_effort : '',
  };
}
