// The typed GraphQL documents the web app sends. Types mirror /schema.graphql (hand-kept: keep
// them in step when the schema changes; `npm run schema:print` shows the current schema).
import { gql, type TypedDocumentNode } from '@urql/core';

export type Role = 'OWNER' | 'AUDITOR' | 'MEMBER';

export interface User {
  __typename?: 'User';
  id: string;
  username: string;
  name: string;
  email?: string | null;
  role: Role;
}

export interface DesktopAvailability {
  __typename?: 'DesktopAvailability';
  available: boolean;
  code?: string | null;
  reason?: string | null;
  provider: string;
  model: string;
}

export interface DesktopSettings {
  __typename?: 'DesktopSettings';
  enableDesktop: boolean;
  computerUseProvider: string;
  availability: DesktopAvailability;
}

export interface AdvisorConfig {
  __typename?: 'AdvisorConfig';
  enabled: boolean;
  maxUsesPerRun: number;
  maxOutputTokens: number;
  modelConfigId: string;
  reasoningEffort: string;
}

export interface AdvisorConfigInput {
  enabled: boolean;
  maxUsesPerRun: number;
  maxOutputTokens: number;
  modelConfigId: string;
  reasoningEffort: string;
}

export interface ModelConfig {
  __typename?: 'ModelConfig';
  id: string;
  displayName: string;
  model: string;
  provider: string;
  enabled: boolean;
}

export interface DebugLoggingAdminSettings {
  __typename?: 'DebugLoggingAdminSettings';
  allowUsers: boolean;
  forcedByDeployment: boolean;
}

export interface UserDebugLoggingSettings {
  __typename?: 'UserDebugLoggingSettings';
  debugLoggingEnabled: boolean;
  userToggleAllowed: boolean;
  forcedByDeployment: boolean;
}

export interface ChatSummary {
  __typename?: 'Chat';
  id: string;
  title: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  viewerIsOwner: boolean;
  parentChatId?: string | null;
  owner?: Pick<User, 'id' | 'username' | 'name'> | null;
}

export interface ChatDetail extends ChatSummary {
  workspaceTemplateModules: string[];
  desktopAvailability?: DesktopAvailability | null;
}

export interface Experiment {
  __typename?: 'Experiment';
  id: 'VIRTUAL_DESKTOP' | 'ADVISOR' | 'DEBUG_LOGGING';
  enabled: boolean;
  available: boolean;
  state: string;
  reason?: string | null;
}

const DESKTOP_FIELDS = `
  enableDesktop
  computerUseProvider
  availability { available code reason provider model }
`;
const ADVISOR_FIELDS = 'enabled maxUsesPerRun maxOutputTokens modelConfigId reasoningEffort';
const CHAT_FIELDS = 'id title archived createdAt updatedAt viewerIsOwner parentChatId owner { id username name }';

export const MeQuery: TypedDocumentNode<{ me: User | null }, Record<string, never>> = gql`
  query Me {
    me { id username name email role }
  }
`;

export const DesktopSettingsQuery: TypedDocumentNode<{ desktopSettings: DesktopSettings | null }, Record<string, never>> = gql`
  query DesktopSettings {
    desktopSettings { ${DESKTOP_FIELDS} }
  }
`;

export const SetDesktopEnabledMutation: TypedDocumentNode<{ setDesktopEnabled: DesktopSettings | null }, { enabled: boolean }> = gql`
  mutation SetDesktopEnabled($enabled: Boolean!) {
    setDesktopEnabled(enabled: $enabled) { ${DESKTOP_FIELDS} }
  }
`;

export const SetComputerUseProviderMutation: TypedDocumentNode<{ setComputerUseProvider: DesktopSettings | null }, { provider: string }> = gql`
  mutation SetComputerUseProvider($provider: String!) {
    setComputerUseProvider(provider: $provider) { ${DESKTOP_FIELDS} }
  }
`;

export const AdvisorConfigQuery: TypedDocumentNode<{ advisorConfig: AdvisorConfig | null }, Record<string, never>> = gql`
  query AdvisorConfig {
    advisorConfig { ${ADVISOR_FIELDS} }
  }
`;

export const ModelConfigsQuery: TypedDocumentNode<{ modelConfigs: ModelConfig[] | null }, Record<string, never>> = gql`
  query ModelConfigs {
    modelConfigs { id displayName model provider enabled }
  }
`;

export const UpdateAdvisorConfigMutation: TypedDocumentNode<{ updateAdvisorConfig: AdvisorConfig | null }, { input: AdvisorConfigInput }> = gql`
  mutation UpdateAdvisorConfig($input: AdvisorConfigInput!) {
    updateAdvisorConfig(input: $input) { ${ADVISOR_FIELDS} }
  }
`;

export const DebugLoggingAdminQuery: TypedDocumentNode<{ debugLoggingAdminSettings: DebugLoggingAdminSettings | null }, Record<string, never>> = gql`
  query DebugLoggingAdminSettings {
    debugLoggingAdminSettings { allowUsers forcedByDeployment }
  }
`;

export const SetDebugLoggingAllowUsersMutation: TypedDocumentNode<
  { setDebugLoggingAllowUsers: DebugLoggingAdminSettings | null },
  { allowUsers: boolean }
> = gql`
  mutation SetDebugLoggingAllowUsers($allowUsers: Boolean!) {
    setDebugLoggingAllowUsers(allowUsers: $allowUsers) { allowUsers forcedByDeployment }
  }
`;

export const MyDebugLoggingQuery: TypedDocumentNode<{ myDebugLogging: UserDebugLoggingSettings | null }, Record<string, never>> = gql`
  query MyDebugLogging {
    myDebugLogging { debugLoggingEnabled userToggleAllowed forcedByDeployment }
  }
`;

export const SetMyDebugLoggingMutation: TypedDocumentNode<{ setMyDebugLogging: UserDebugLoggingSettings | null }, { enabled: boolean }> = gql`
  mutation SetMyDebugLogging($enabled: Boolean!) {
    setMyDebugLogging(enabled: $enabled) { debugLoggingEnabled userToggleAllowed forcedByDeployment }
  }
`;

export const ChatsQuery: TypedDocumentNode<{ chats: ChatSummary[] | null }, Record<string, never>> = gql`
  query Chats {
    chats { ${CHAT_FIELDS} }
  }
`;

export const ChatQuery: TypedDocumentNode<{ chat: ChatDetail | null }, { id: string }> = gql`
  query Chat($id: ID!) {
    chat(id: $id) {
      ${CHAT_FIELDS}
      workspaceTemplateModules
      desktopAvailability { available code reason provider model }
    }
  }
`;

export const CreateChatMutation: TypedDocumentNode<{ createChat: ChatSummary | null }, { title?: string }> = gql`
  mutation CreateChat($title: String) {
    createChat(input: { title: $title }) { ${CHAT_FIELDS} }
  }
`;

export const ExperimentsChangedSubscription: TypedDocumentNode<{ experimentsChanged: Experiment[] | null }, Record<string, never>> = gql`
  subscription ExperimentsChanged {
    experimentsChanged { id enabled available state reason }
  }
`;

// ---------- Debug runs (web-ui.md section 4) ----------

/** A debug run as GraphQL returns it (free-form `summary` keeps its snake_case keys). */
export interface DebugRunFields {
  __typename?: 'DebugRun';
  id: string;
  chatId: string;
  rootChatId?: string | null;
  parentChatId?: string | null;
  modelConfigId?: string | null;
  triggerMessageId?: number | null;
  historyTipMessageId?: number | null;
  kind: string;
  status: string;
  provider?: string | null;
  model?: string | null;
  summary: unknown;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string | null;
}

/** The light step of a live event: enough to count steps; payloads come with the run's detail. */
export interface DebugEventStep {
  __typename?: 'DebugStep';
  id: string;
  runId: string;
  stepNumber: number;
  status: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string | null;
}

export type DebugEventKind = 'RUN_STARTED' | 'RUN_UPDATED' | 'STEP_STARTED' | 'STEP_UPDATED' | 'RUN_FINISHED' | 'DEBUG_DATA_DELETED';

export interface DebugEvent {
  __typename?: 'DebugEvent';
  cursor: string;
  kind: DebugEventKind;
  chatId: string;
  chatDeleted: boolean;
  deletedRunIds: string[];
  run?: DebugRunFields | null;
  step?: DebugEventStep | null;
}

export interface ChatDebugState {
  __typename?: 'Chat';
  id: string;
  debugLoggingActive: boolean;
  hasDebugRuns: boolean;
  debugRuns?: DebugRunFields[] | null;
}

const DEBUG_RUN_FIELDS = 'id chatId kind status provider model summary startedAt updatedAt finishedAt';

export const ChatDebugRunsQuery: TypedDocumentNode<{ chat: ChatDebugState | null }, { id: string }> = gql`
  query ChatDebugRuns($id: ID!) {
    chat(id: $id) {
      id
      debugLoggingActive
      hasDebugRuns
      debugRuns(first: 100) { ${DEBUG_RUN_FIELDS} }
    }
  }
`;

/** One run exactly as GET /api/experimental/chats/{chat}/debug/runs/{run} returns it. */
export const DebugRunDetailQuery: TypedDocumentNode<
  { chat: { __typename?: 'Chat'; id: string; debugRun?: { __typename?: 'DebugRun'; id: string; status: string; detail: unknown } | null } | null },
  { chatId: string; runId: string }
> = gql`
  query DebugRunDetail($chatId: ID!, $runId: ID!) {
    chat(id: $chatId) {
      id
      debugRun(id: $runId) { id status detail }
    }
  }
`;

export const ChatDebugEventsSubscription: TypedDocumentNode<{ chatDebugEvents: DebugEvent | null }, { chatId: string; after?: string | null }> = gql`
  subscription ChatDebugEvents($chatId: ID!, $after: String) {
    chatDebugEvents(chatId: $chatId, after: $after) {
      cursor
      kind
      chatId
      chatDeleted
      deletedRunIds
      run { ${DEBUG_RUN_FIELDS} }
      step { id runId stepNumber status startedAt updatedAt finishedAt }
    }
  }
`;
