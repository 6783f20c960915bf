import type { Actor } from '../auth/actor.ts';
import { canUpdateDeploymentConfig } from '../auth/policy.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { SETTINGS_TOPIC } from '../events/iterate.ts';
import { forbidden, invalid, notFound, storage } from '../errors.ts';
import { COMPUTER_USE_PROVIDERS, isComputerUseProvider, type ComputerUseProvider } from '../settings/service.ts';

export const PROVIDER_DISPLAY_NAMES: Record<ComputerUseProvider, string> = { anthropic: 'Anthropic', openai: 'OpenAI' };

export interface ProviderStatus {
  provider: ComputerUseProvider;
  displayName: string;
  hasApiKey: boolean;
  /** Last four characters of the key in force; "" when none. */
  apiKeyHint: string;
  source: 'database' | 'environment' | 'none';
}

const hintOf = (key: string) => key.slice(-4);

/** Provider API keys: write-only, AES-256-GCM at rest, never returned or logged. */
export class ProviderService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(_actor: Actor): Promise<ProviderStatus[]> {
    const rows = await storage('Internal error fetching providers.', () => this.deps.db.providerKey.findMany());
    return COMPUTER_USE_PROVIDERS.map((provider) => {
      const row = rows.find((r) => r.provider === provider);
      const envKey = this.deps.config.providerEnvKeys[provider];
      if (row) return { provider, displayName: PROVIDER_DISPLAY_NAMES[provider], hasApiKey: true, apiKeyHint: row.hint, source: 'database' as const };
      if (envKey) return { provider, displayName: PROVIDER_DISPLAY_NAMES[provider], hasApiKey: true, apiKeyHint: hintOf(envKey), source: 'environment' as const };
      return { provider, displayName: PROVIDER_DISPLAY_NAMES[provider], hasApiKey: false, apiKeyHint: '', source: 'none' as const };
    });
  }

  /** `""` removes the stored key (an environment key, if any, then applies again). */
  async setApiKey(actor: Actor, provider: string, input: Lazy<{ api_key: string }>): Promise<void> {
    if (!canUpdateDeploymentConfig(actor)) throw forbidden();
    if (!isComputerUseProvider(provider)) throw notFound();
    const apiKey = (await input()).api_key.trim();
    if (/\s/.test(apiKey)) throw invalid('Invalid API key.', 'An API key cannot contain whitespace.');
    await storage('Internal error updating provider API key.', async () => {
      if (apiKey === '') {
        await this.deps.db.providerKey.deleteMany({ where: { provider } });
        return;
      }
      const data = { encryptedKey: this.deps.secrets.encrypt(apiKey), hint: hintOf(apiKey), updatedAt: new Date() };
      await this.deps.db.providerKey.upsert({ where: { provider }, create: { provider, ...data }, update: data });
    });
    this.deps.events.publish(SETTINGS_TOPIC, { key: `provider_key:${provider}`, userId: null });
  }

  async hasApiKey(provider: ComputerUseProvider): Promise<boolean> {
    if (this.deps.config.providerEnvKeys[provider]) return true;
    return (await this.deps.db.providerKey.count({ where: { provider } })) > 0;
  }
}
