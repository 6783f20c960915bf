import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import { canSeeDisabledModelConfigs, canUpdateDeploymentConfig } from '../auth/policy.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { forbidden, invalid, notFound, storage } from '../errors.ts';
import type { ModelConfig } from '../generated/prisma/client.ts';

export interface NewModelConfig {
  provider: string;
  model: string;
  display_name: string;
  enabled: boolean;
  is_default: boolean;
  context_limit: number;
  compression_threshold: number;
}

const LIST_ORDER = [{ provider: 'asc' }, { model: 'asc' }, { updatedAt: 'desc' }, { id: 'desc' }] as const;

export class ModelConfigService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(actor: Actor): Promise<ModelConfig[]> {
    return storage('Failed to list chat model configs.', () =>
      this.deps.db.modelConfig.findMany({
        where: canSeeDisabledModelConfigs(actor) ? { deletedAt: null } : { deletedAt: null, enabled: true },
        orderBy: [...LIST_ORDER],
      }),
    );
  }

  /** A non-deleted config by id, enabled or not. Used by validation and resolution, not by listing. */
  async findLive(id: string): Promise<ModelConfig | null> {
    return this.deps.db.modelConfig.findFirst({ where: { id, deletedAt: null } });
  }

  async create(actor: Actor, input: Lazy<NewModelConfig>): Promise<ModelConfig> {
    if (!canUpdateDeploymentConfig(actor)) throw forbidden();
    const body = (await input());
    const provider = body.provider.trim();
    const model = body.model.trim();
    if (!provider) throw invalid('Provider is required.');
    if (!model) throw invalid('Model is required.');
    if (body.context_limit <= 0) throw invalid('Context limit is required.', 'context_limit must be greater than zero.');
    if (body.compression_threshold < 0 || body.compression_threshold > 100) {
      throw invalid('Invalid compression threshold.', 'context_compression_threshold must be between 0 and 100');
    }
    return storage('Failed to create chat model config.', () =>
      this.deps.db.$transaction(async (tx) => {
        const isFirst = (await tx.modelConfig.count({ where: { deletedAt: null } })) === 0;
        const isDefault = body.is_default || isFirst;
        if (isDefault) await tx.modelConfig.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
        return tx.modelConfig.create({
          data: {
            id: randomUUID(),
            provider,
            model,
            displayName: body.display_name.trim(),
            enabled: body.enabled,
            isDefault,
            contextLimit: BigInt(body.context_limit),
            compressionThreshold: body.compression_threshold,
          },
        });
      }),
    );
  }

  async softDelete(actor: Actor, id: () => string): Promise<void> {
    if (!canUpdateDeploymentConfig(actor)) throw forbidden();
    const configId = id();
    await storage('Failed to delete chat model config.', () =>
      this.deps.db.$transaction(async (tx) => {
        const existing = await tx.modelConfig.findFirst({ where: { id: configId, deletedAt: null } });
        if (!existing) throw notFound();
        const now = new Date();
        await tx.modelConfig.update({ where: { id: configId }, data: { deletedAt: now, isDefault: false, updatedAt: now } });
        if (existing.isDefault) {
          const next = await tx.modelConfig.findFirst({ where: { deletedAt: null }, orderBy: [...LIST_ORDER] });
          if (next) await tx.modelConfig.update({ where: { id: next.id }, data: { isDefault: true } });
        }
      }),
    );
  }
}
