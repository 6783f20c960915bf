import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import { canUpdateDeploymentConfig } from '../auth/policy.ts';
import type { ChatService } from '../chats/service.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { DomainError, conflict, forbidden, invalid, notFound, storage } from '../errors.ts';
import type { ModelConfigService } from '../model-configs/service.ts';
import { SETTINGS_TOPIC } from '../events/iterate.ts';
import { SITE_KEYS, SettingsStore } from '../settings/store.ts';
import { quoteJson } from '../util/json.ts';
import { NIL_UUID } from '../util/uuid.ts';
import {
  ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS,
  StoredAdvisorConfigInvalid,
  isReasoningEffort,
  readStoredAdvisorConfig,
  type AdvisorConfig,
  type ReasoningEffort,
} from './config.ts';

/** What writers send: the effort is checked here, so it arrives as any string. */
export type AdvisorConfigInput = Omit<AdvisorConfig, 'reasoning_effort'> & { reasoning_effort: string };

export const ADVISOR_LIMIT_MESSAGE = 'Advisor use limit reached for this run.';

/** The advisor rules resolved for one chat, as runtimes apply them (product.md 4a). */
export interface ResolvedAdvisor {
  available: boolean;
  reason?: string;
  maxUsesPerRun: number;
  remainingUses?: number;
  maxOutputTokens: number;
  modelConfigId: string;
  model: string;
  reasoningEffort: ReasoningEffort;
}

export interface AdvisorUseGrant {
  useId: string;
  /** Absent when uses are unlimited. */
  remainingUses?: number;
}

export class AdvisorService {
  private readonly store: SettingsStore;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly chats: ChatService,
    private readonly modelConfigs: ModelConfigService,
  ) {
    this.store = new SettingsStore(deps.db, deps.sql, (key) => deps.events.publish(SETTINGS_TOPIC, { key, userId: null }));
  }

  async getConfig(_actor: Actor): Promise<AdvisorConfig> {
    const raw = await storage('Internal error fetching advisor configuration.', () => this.store.readSite(SITE_KEYS.advisor));
    try {
      return readStoredAdvisorConfig(raw);
    } catch (error) {
      if (error instanceof StoredAdvisorConfigInvalid) throw new DomainError('Internal', 'Stored advisor configuration is invalid.', error.message);
      throw error;
    }
  }

  /** Full replacement; checks run in the documented order (rest-api.md 7.3). */
  async setConfig(actor: Actor, input: Lazy<AdvisorConfigInput>): Promise<void> {
    if (!canUpdateDeploymentConfig(actor)) throw forbidden();
    const config = (await input());
    if (config.max_uses_per_run < 0) throw invalid(`max_uses_per_run ${config.max_uses_per_run} must be non-negative.`);
    if (config.max_output_tokens < 0) throw invalid(`max_output_tokens ${config.max_output_tokens} must be non-negative.`);
    if (!isReasoningEffort(config.reasoning_effort)) {
      throw invalid(`reasoning_effort ${quoteJson(config.reasoning_effort)} is not valid; must be one of "", "low", "medium", or "high".`);
    }
    if (config.model_config_id !== NIL_UUID) {
      const found = await storage('Internal error validating advisor model config.', () => this.modelConfigs.findLive(config.model_config_id));
      if (!found) throw invalid(`model_config_id ${quoteJson(config.model_config_id)} does not match any existing model config.`);
    }
    await storage('Internal error updating advisor configuration.', () =>
      this.store.writeSite(SITE_KEYS.advisor, {
        enabled: config.enabled,
        max_uses_per_run: config.max_uses_per_run,
        max_output_tokens: config.max_output_tokens,
        model_config_id: config.model_config_id,
        reasoning_effort: config.reasoning_effort,
      }),
    );
  }

  /** Effective output limit and model for the deployment, without a chat. */
  async resolveModel(chatModelConfigId: string | null, configured: string): Promise<{ modelConfigId: string; model: string }> {
    const candidates = [configured !== NIL_UUID ? configured : null, chatModelConfigId];
    for (const id of candidates) {
      if (!id) continue;
      const config = await this.modelConfigs.findLive(id);
      // A configured model that was deleted or disabled falls back to the chat's model.
      if (config && (config.enabled || id === chatModelConfigId)) return { modelConfigId: config.id, model: config.model };
    }
    const fallback = await this.deps.db.modelConfig.findFirst({ where: { deletedAt: null, isDefault: true } });
    return fallback ? { modelConfigId: fallback.id, model: fallback.model } : { modelConfigId: NIL_UUID, model: '' };
  }

  async resolveForChat(actor: Actor, chatId: string, options: { planMode: boolean; runKey?: string }): Promise<ResolvedAdvisor> {
    const chat = await this.chats.getReadable(actor, chatId);
    const config = await this.getConfig(actor);
    const { modelConfigId, model } = await this.resolveModel(chat.modelConfigId, config.model_config_id);
    const reason = !config.enabled
      ? 'The advisor is disabled.'
      : chat.parentChatId
        ? 'The advisor is not available to subagent chats.'
        : options.planMode
          ? 'The advisor is not available in plan mode.'
          : undefined;
    let remainingUses: number | undefined;
    if (config.max_uses_per_run > 0 && options.runKey !== undefined) {
      const budget = await this.deps.db.advisorRunBudget.findUnique({ where: { chatId_runKey: { chatId: chat.id, runKey: options.runKey } } });
      remainingUses = Math.max(0, config.max_uses_per_run - (budget?.used ?? 0));
    }
    return {
      available: reason === undefined,
      reason,
      maxUsesPerRun: config.max_uses_per_run,
      remainingUses,
      maxOutputTokens: config.max_output_tokens || ADVISOR_DEFAULT_MAX_OUTPUT_TOKENS,
      modelConfigId,
      model,
      reasoningEffort: config.reasoning_effort,
    };
  }

  /** Atomically takes one use of the run's budget; two callers never both take the last use. */
  async reserveUse(actor: Actor, chatId: string, input: Lazy<{ run_key: string; plan_mode: boolean }>): Promise<AdvisorUseGrant> {
    const chat = await this.chats.getWritable(actor, chatId);
    const { run_key, plan_mode } = (await input());
    if (!run_key.trim()) throw invalid('run_key is required.');
    const resolved = await this.resolveForChat(actor, chat.id, { planMode: plan_mode });
    if (!resolved.available) throw conflict('The advisor is not available for this chat.', resolved.reason);
    const limit = resolved.maxUsesPerRun;
    return storage('Internal error reserving advisor use.', async () => {
      const useId = randomUUID();
      await this.deps.db.$executeRaw`
        INSERT INTO advisor_run_budgets (chat_id, run_key, used) VALUES (${chat.id}::uuid, ${run_key}, 0)
        ON CONFLICT (chat_id, run_key) DO NOTHING`;
      // One conditional UPDATE is atomic on PostgreSQL and PGlite alike: the row lock serialises takers.
      const rows = await this.deps.db.$queryRaw<{ used: number }[]>`
        UPDATE advisor_run_budgets SET used = used + 1
        WHERE chat_id = ${chat.id}::uuid AND run_key = ${run_key} AND (${limit}::bigint = 0 OR used < ${limit}::bigint)
        RETURNING used`;
      if (rows.length === 0) throw conflict(ADVISOR_LIMIT_MESSAGE);
      await this.deps.db.advisorUse.create({ data: { id: useId, chatId: chat.id, runKey: run_key } });
      return { useId, remainingUses: limit === 0 ? undefined : Math.max(0, limit - Number(rows[0].used)) };
    });
  }

  /** Gives a use back (a failed call or empty advice). Refunding twice is a conflict. */
  async refundUse(actor: Actor, chatId: string, useId: () => string): Promise<void> {
    const chat = await this.chats.getWritable(actor, chatId);
    const id = useId();
    await storage('Internal error refunding advisor use.', () =>
      this.deps.db.$transaction(async (tx) => {
        const marked = await tx.$queryRaw<{ run_key: string }[]>`
          UPDATE advisor_uses SET refunded_at = now()
          WHERE id = ${id}::uuid AND chat_id = ${chat.id}::uuid AND refunded_at IS NULL
          RETURNING run_key`;
        if (marked.length === 0) {
          const exists = await tx.advisorUse.findFirst({ where: { id, chatId: chat.id } });
          if (!exists) throw notFound();
          throw conflict('Advisor use was already refunded.');
        }
        await tx.$executeRaw`
          UPDATE advisor_run_budgets SET used = GREATEST(used - 1, 0)
          WHERE chat_id = ${chat.id}::uuid AND run_key = ${marked[0].run_key}`;
      }),
    );
  }
}
