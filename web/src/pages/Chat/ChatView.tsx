import { A } from '@solidjs/router';
import { For, Match, Show, Switch, createMemo } from 'solid-js';
import { Badge } from '../../components/Badge.tsx';
import { ChevronLeftIcon, MessageIcon } from '../../components/Icons.tsx';
import { RightPanel, type PanelTab } from '../../components/RightPanel.tsx';
import { Skeleton } from '../../components/Skeleton.tsx';
import { Alert, StatusLine } from '../../components/Status.tsx';
import type { ChatDetail } from '../../graphql/index.ts';
import { fullDate, timeAgo } from '../../format.ts';
import { chatTitle } from '../Agents/AgentsView.tsx';
import { DebugPanel } from './debug/DebugPanel.tsx';
import type { DebugFeed } from './debug/feed.ts';

export interface ChatViewProps {
  chatId: string;
  chat: ChatDetail | null | undefined;
  /** The Debug tab's live data, for a chat the viewer can read. */
  debug?: DebugFeed;
  loading: boolean;
  error?: string;
}

function DesktopTab(props: { chat: ChatDetail }) {
  const availability = () => props.chat.desktopAvailability;
  return (
    <div class="panel-body">
      <h2 class="panel-heading">Virtual desktop</h2>
      <Show when={availability()} fallback={<p class="muted">Desktop availability is unknown.</p>}>
        {(a) => (
          <>
            <StatusLine tone={a().available ? 'success' : 'warning'}>{a().available ? 'Available to agents.' : `Unavailable: ${a().reason ?? ''}`}</StatusLine>
            <dl class="facts">
              <div>
                <dt>Provider</dt>
                <dd>{a().provider === 'openai' ? 'OpenAI' : a().provider === 'anthropic' ? 'Anthropic' : a().provider}</dd>
              </div>
              <div>
                <dt>Model</dt>
                <dd>
                  <code>{a().model}</code>
                </dd>
              </div>
              <div>
                <dt>Template modules</dt>
                <dd>
                  <Show when={props.chat.workspaceTemplateModules.length > 0} fallback={<span class="muted">None</span>}>
                    <span class="chips">
                      <For each={props.chat.workspaceTemplateModules}>{(m) => <code class="chip">{m}</code>}</For>
                    </span>
                  </Show>
                </dd>
              </div>
            </dl>
          </>
        )}
      </Show>
    </div>
  );
}

export function ChatView(props: ChatViewProps) {
  // Tab objects stay the same while the chat is shown, so a tab appearing never remounts the others.
  const desktopTab: PanelTab = { id: 'desktop', label: 'Desktop', content: () => <Show when={props.chat}>{(chat) => <DesktopTab chat={chat()} />}</Show> };
  const debugTabs = new WeakMap<DebugFeed, PanelTab>();
  const debugTab = (feed: DebugFeed) => {
    let tab = debugTabs.get(feed);
    if (!tab) debugTabs.set(feed, (tab = { id: 'debug', label: 'Debug', content: () => <DebugPanel feed={feed} /> }));
    return tab;
  };
  const tabs = createMemo((): PanelTab[] => {
    const chat = props.chat;
    if (!chat) return [];
    const list: PanelTab[] = [];
    if (props.debug?.tabVisible()) list.push(debugTab(props.debug));
    if (chat.desktopAvailability) list.push(desktopTab);
    return list;
  });
  return (
    <div class="chat-page" classList={{ 'chat-page-wide-panel': tabs().some((t) => t.id === 'debug') }}>
      <div class="chat-main">
        <A href="/agents" class="back-link">
          <ChevronLeftIcon size={16} />
          All chats
        </A>
        <Switch>
          <Match when={props.loading && props.chat === undefined}>
            <div aria-busy="true" class="chat-header">
              <Skeleton width="50%" height="1.75rem" />
              <Skeleton width="30%" height="0.875rem" />
            </div>
          </Match>
          <Match when={props.error && props.chat === undefined}>
            <Alert title="Failed to load the chat.">{props.error}</Alert>
          </Match>
          <Match when={props.chat === null}>
            <div class="empty-state">
              <h1 class="page-title">Chat not found</h1>
              <p class="muted">It may have been deleted, or it was not shared with you.</p>
              <A href="/agents" class="button button-secondary">
                Go to agents
              </A>
            </div>
          </Match>
          <Match when={props.chat}>
            {(chat) => (
              <>
                <header class="chat-header">
                  <h1 class="page-title">{chatTitle(chat())}</h1>
                  <p class="chat-meta">
                    <Show when={!chat().viewerIsOwner}>
                      <Badge tone="accent">Shared with you</Badge>
                    </Show>
                    <Show when={chat().parentChatId}>
                      <Badge>Subagent</Badge>
                    </Show>
                    <span>Owner: {chat().owner?.name || chat().owner?.username || 'unknown'}</span>
                    <span aria-hidden="true">·</span>
                    <time datetime={chat().createdAt} title={fullDate(chat().createdAt)}>
                      Created {timeAgo(chat().createdAt)}
                    </time>
                  </p>
                </header>
                <div class="chat-transcript">
                  <span class="empty-icon">
                    <MessageIcon size={22} />
                  </span>
                  <p class="empty-title">Messages are written by agent runtimes</p>
                  <p class="muted">This page shows the chat's experiments in the side panel.</p>
                </div>
              </>
            )}
          </Match>
        </Switch>
      </div>
      <Show when={props.chat}>
        <RightPanel chatId={props.chatId} tabs={tabs()} />
      </Show>
    </div>
  );
}
