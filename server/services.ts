import { AdvisorService } from './advisor/service.ts';
import { ChatService } from './chats/service.ts';
import type { Config } from './config.ts';
import type { ServiceDeps } from './context.ts';
import { DebugFeedHub } from './debug/feed.ts';
import { DebugMaintenance } from './debug/maintenance.ts';
import { DebugService } from './debug/service.ts';
import { DesktopService } from './desktop/service.ts';
import { ModelConfigService } from './model-configs/service.ts';
import { ProviderService } from './providers/service.ts';
import { SettingsService } from './settings/service.ts';
import { UserService } from './users/service.ts';

/** The one service layer: every rule lives behind these objects; transports only adapt. */
export interface Services {
  config: Config;
  users: UserService;
  chats: ChatService;
  settings: SettingsService;
  modelConfigs: ModelConfigService;
  advisor: AdvisorService;
  providers: ProviderService;
  desktop: DesktopService;
  debug: DebugService;
  maintenance: DebugMaintenance;
  debugFeeds: DebugFeedHub;
  deps: ServiceDeps;
}

export function createServices(deps: ServiceDeps): Services {
  const users = new UserService(deps);
  const chats = new ChatService(deps);
  const settings = new SettingsService(deps);
  const modelConfigs = new ModelConfigService(deps);
  const providers = new ProviderService(deps);
  const advisor = new AdvisorService(deps, chats, modelConfigs);
  const desktop = new DesktopService(settings, providers, chats);
  const debug = new DebugService(deps, chats, settings);
  const maintenance = new DebugMaintenance(deps, settings);
  const debugFeeds = new DebugFeedHub(deps, chats);
  return { config: deps.config, users, chats, settings, modelConfigs, advisor, providers, desktop, debug, maintenance, debugFeeds, deps };
}
