import type { Chat, ModelConfig, User } from '../generated/prisma/client.ts';
import type { ProviderStatus } from '../providers/service.ts';

/** Wire shapes for fixed-shape objects, keys in contract order; optional keys omitted when empty. */

const ROLE_NAMES: Record<string, string> = { owner: 'Owner', auditor: 'Auditor' };

export const userJson = (user: User, options: { showEmail: boolean } = { showEmail: true }) => ({
  id: user.id,
  username: user.username,
  ...(options.showEmail ? { email: user.email } : {}),
  name: user.name,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
  status: 'active',
  role: user.role,
  roles: ROLE_NAMES[user.role] ? [{ name: user.role, display_name: ROLE_NAMES[user.role] }] : [],
});

export const chatJson = (chat: Chat) => ({
  id: chat.id,
  owner_id: chat.ownerId,
  title: chat.title,
  ...(chat.parentChatId ? { parent_chat_id: chat.parentChatId } : {}),
  root_chat_id: chat.rootChatId,
  ...(chat.modelConfigId ? { model_config_id: chat.modelConfigId } : {}),
  archived: chat.archived,
  workspace_template_modules: chat.workspaceTemplateModules,
  created_at: chat.createdAt.toISOString(),
  updated_at: chat.updatedAt.toISOString(),
});

export const modelConfigJson = (config: ModelConfig) => ({
  id: config.id,
  provider: config.provider,
  model: config.model,
  display_name: config.displayName,
  enabled: config.enabled,
  is_default: config.isDefault,
  context_limit: Number(config.contextLimit),
  compression_threshold: config.compressionThreshold,
  created_at: config.createdAt.toISOString(),
  updated_at: config.updatedAt.toISOString(),
});

export const providerJson = (p: ProviderStatus) => ({
  provider: p.provider,
  display_name: p.displayName,
  has_api_key: p.hasApiKey,
  api_key_hint: p.apiKeyHint,
});
