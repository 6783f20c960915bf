import type { Actor } from '../auth/actor.ts';
import type { ChatService } from '../chats/service.ts';
import { DomainError } from '../errors.ts';
import type { ProviderService } from '../providers/service.ts';
import { COMPUTER_USE_MODELS, isComputerUseProvider, type SettingsService } from '../settings/service.ts';

export const PORTABLE_DESKTOP_MODULE = 'portabledesktop';

export type DesktopUnavailableCode = 'DESKTOP_DISABLED' | 'PROVIDER_UNREADABLE' | 'NO_API_KEY' | 'MODULE_MISSING' | 'PLAN_MODE';

export interface DesktopAvailability {
  available: boolean;
  code?: DesktopUnavailableCode;
  reason?: string;
  provider: string;
  /** The fixed computer-use model of the provider; "" for an unknown stored provider. */
  model: string;
}

const REASONS: Record<DesktopUnavailableCode, (provider: string) => string> = {
  DESKTOP_DISABLED: () => 'type "computer_use" is unavailable because desktop access is not enabled',
  PROVIDER_UNREADABLE: () => 'the computer use provider setting could not be read',
  NO_API_KEY: (p) => `no API key is configured for the computer use provider "${p}"`,
  MODULE_MISSING: () => `the workspace template does not include the ${PORTABLE_DESKTOP_MODULE} module`,
  PLAN_MODE: () => 'computer use is not available in plan mode',
};

/** Evaluates, in the documented order, whether agents can drive a virtual desktop. */
export class DesktopService {
  constructor(
    private readonly settings: SettingsService,
    private readonly providers: ProviderService,
    private readonly chats: ChatService,
  ) {}

  /** Deployment-wide: the checks that do not depend on a chat. */
  async deploymentAvailability(actor: Actor): Promise<DesktopAvailability> {
    return this.evaluate(actor, undefined, false);
  }

  async chatAvailability(actor: Actor, chatId: string, planMode: boolean): Promise<DesktopAvailability> {
    const chat = await this.chats.getReadable(actor, chatId);
    return this.evaluate(actor, chat.workspaceTemplateModules, planMode);
  }

  private async evaluate(actor: Actor, templateModules: string[] | undefined, planMode: boolean): Promise<DesktopAvailability> {
    const enabled = await this.settings.getDesktopEnabled(actor);
    let provider = '';
    try {
      provider = await this.settings.getComputerUseProvider(actor);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
    const model = isComputerUseProvider(provider) ? COMPUTER_USE_MODELS[provider] : '';
    const unavailable = (code: DesktopUnavailableCode): DesktopAvailability => ({ available: false, code, reason: REASONS[code](provider), provider, model });
    if (!enabled) return unavailable('DESKTOP_DISABLED');
    if (!isComputerUseProvider(provider)) return unavailable('PROVIDER_UNREADABLE');
    if (!(await this.providers.hasApiKey(provider))) return unavailable('NO_API_KEY');
    if (templateModules && !templateModules.includes(PORTABLE_DESKTOP_MODULE)) return unavailable('MODULE_MISSING');
    if (planMode) return unavailable('PLAN_MODE');
    return { available: true, provider, model };
  }
}
