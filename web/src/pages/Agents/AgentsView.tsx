import { A } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { Badge } from '../../components/Badge.tsx';
import { ChevronRightIcon, MessageIcon, PlusIcon } from '../../components/Icons.tsx';
import { Skeleton } from '../../components/Skeleton.tsx';
import { Alert, Spinner } from '../../components/Status.tsx';
import type { ChatSummary } from '../../graphql/index.ts';
import { fullDate, timeAgo } from '../../format.ts';

export interface AgentsViewProps {
  chats: ChatSummary[] | undefined;
  loading: boolean;
  error?: string;
  creating: boolean;
  createError?: string;
  onCreateChat: () => void;
}

export const chatTitle = (chat: Pick<ChatSummary, 'title'>) => chat.title.trim() || 'Untitled chat';

export function AgentsView(props: AgentsViewProps) {
  return (
    <div class="page">
      <div class="page-header">
        <div>
          <h1 class="page-title">Agents</h1>
          <p class="page-description">Your chats and the chats shared with you.</p>
        </div>
        <button type="button" class="button button-primary" onClick={() => props.onCreateChat()} disabled={props.creating}>
          <Show when={props.creating} fallback={<PlusIcon size={16} />}>
            <Spinner size={14} />
          </Show>
          New chat
        </button>
      </div>
      <Show when={props.createError}>
        <p class="error-text" role="alert">
          {props.createError}
        </p>
      </Show>
      <Switch>
        <Match when={props.error && !props.chats}>
          <Alert title="Failed to load chats.">{props.error}</Alert>
        </Match>
        <Match when={props.loading && !props.chats}>
          <ul class="chat-list" aria-busy="true" aria-label="Loading chats">
            <For each={[0, 1, 2]}>
              {() => (
                <li class="chat-row chat-row-skeleton">
                  <Skeleton width="2.25rem" height="2.25rem" />
                  <span class="chat-row-text">
                    <Skeleton width="40%" />
                    <Skeleton width="25%" height="0.75rem" />
                  </span>
                </li>
              )}
            </For>
          </ul>
        </Match>
        <Match when={props.chats && props.chats.length === 0}>
          <div class="empty-state">
            <span class="empty-icon">
              <MessageIcon size={22} />
            </span>
            <p class="empty-title">No chats yet</p>
            <p class="muted">Chats created by you or by your agents, and chats shared with you, appear here.</p>
          </div>
        </Match>
        <Match when={props.chats}>
          {(chats) => (
            <ul class="chat-list" aria-label="Chats">
              <For each={chats()}>
                {(chat) => (
                  <li>
                    <A href={`/agents/${chat.id}`} class="chat-row">
                      <span class="chat-row-icon" aria-hidden="true">
                        <MessageIcon size={18} />
                      </span>
                      <span class="chat-row-text">
                        <span class="chat-row-title">{chatTitle(chat)}</span>
                        <span class="chat-row-meta">
                          <Show when={!chat.viewerIsOwner}>
                            <span>Shared by {chat.owner?.name || chat.owner?.username || 'another user'} · </span>
                          </Show>
                          <time datetime={chat.updatedAt} title={fullDate(chat.updatedAt)}>
                            Updated {timeAgo(chat.updatedAt)}
                          </time>
                        </span>
                      </span>
                      <span class="chat-row-badges">
                        <Show when={chat.parentChatId}>
                          <Badge>Subagent</Badge>
                        </Show>
                        <Show when={!chat.viewerIsOwner}>
                          <Badge tone="accent">Shared</Badge>
                        </Show>
                        <Show when={chat.archived}>
                          <Badge>Archived</Badge>
                        </Show>
                      </span>
                      <ChevronRightIcon class="chat-row-chevron" />
                    </A>
                  </li>
                )}
              </For>
            </ul>
          )}
        </Match>
      </Switch>
    </div>
  );
}
