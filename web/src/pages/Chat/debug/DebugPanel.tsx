// The Debug tab of the chat page's right panel (web-ui.md sections 4 and 5).
import { For, Match, Show, Switch, createSignal, createUniqueId, onCleanup } from 'solid-js';
import { unwrap } from 'solid-js/store';
import { ChevronDownIcon, DownloadIcon } from '../../../components/Icons.tsx';
import { Alert, Spinner, StatusLine } from '../../../components/Status.tsx';
import { useToasts } from '../../../components/Toast.tsx';
import { loginHref } from '../../../session/session.tsx';
import { collectChatExport, downloadErrorDescription, downloadJson, exportFileName, runEnvelope } from './export.ts';
import type { DebugFeed, RunSummary } from './feed.ts';
import { StatusBadge } from './parts.tsx';
import { StepCard } from './StepCard.tsx';
import { elapsedMs, formatDuration, isActiveStatus, kindLabel, runLabel, runModel, runTokens, stepCountLabel, type StepLike } from './utils.ts';

function ExportButton(props: { label: string; pending: boolean; onClick: () => void }) {
  return (
    <button type="button" class="button button-secondary button-small dbg-export" disabled={props.pending} aria-busy={props.pending ? 'true' : undefined} onClick={() => props.onClick()}>
      <Show when={props.pending} fallback={<DownloadIcon size={14} />}>
        <Spinner size={12} />
      </Show>
      {props.label}
    </button>
  );
}

function RunRow(props: { feed: DebugFeed; run: RunSummary }) {
  const toaster = useToasts();
  const bodyId = `dbg-${createUniqueId()}`;
  const run = () => props.run;
  const open = () => Boolean(props.feed.state.expanded[run().id]);
  const detail = () => props.feed.state.details[run().id];
  const label = () => runLabel(run());
  const model = () => runModel(run());
  const steps = () => stepCountLabel(props.feed.stepCount(run().id));
  const duration = () => formatDuration(elapsedMs(run().started_at, run().finished_at, props.feed.now()));
  const tokens = () => runTokens(run());
  const detailSteps = () => {
    const list = detail()?.run?.steps;
    return Array.isArray(list) ? (list as StepLike[]) : [];
  };
  const [exporting, setExporting] = createSignal(false);

  const exportRun = () => {
    const loaded = detail()?.run;
    if (!loaded) return;
    setExporting(true);
    try {
      const exportedAt = new Date().toISOString();
      const envelope = runEnvelope(props.feed.chatId, unwrap(loaded), exportedAt);
      downloadJson(envelope, exportFileName('run', run().id, exportedAt));
    } catch (error) {
      console.error('Failed to export debug run:', error);
      toaster.show({ tone: 'error', title: 'Failed to export debug run.', description: downloadErrorDescription(error) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <li class="dbg-run" classList={{ 'dbg-open': open() }}>
      <button type="button" class="dbg-run-trigger" aria-expanded={open() ? 'true' : 'false'} aria-controls={bodyId} onClick={() => props.feed.setExpanded(run().id, !open())}>
        <span class="dbg-run-label" title={label().text}>
          {label().text}
        </span>{' '}
        <span class="dbg-run-meta">
          <Show when={label().isFirstMessage && run().kind !== 'chat_turn'}>
            <span>{kindLabel(run().kind)}</span>
          </Show>
          <Show when={model()}>
            <span class="dbg-run-model">{model()}</span>
          </Show>
          <Show when={steps()}>
            <span>{steps()}</span>
          </Show>
          <span>{duration()}</span>
          <Show when={tokens()}>
            <span>{tokens()}</span>
          </Show>
        </span>{' '}
        <span class="dbg-side">
          <Show when={isActiveStatus(run().status)}>
            <Spinner size={12} />
          </Show>
          <StatusBadge status={run().status} />
          <ChevronDownIcon size={16} class={`dbg-chevron ${open() ? 'dbg-chevron-open' : ''}`} />
        </span>
      </button>
      <div id={bodyId} class="dbg-run-body" hidden={!open()}>
        <Show when={open()}>
          <Switch>
            <Match when={detail()?.run}>
              <Show when={detailSteps().length > 0} fallback={<p class="dbg-empty">No steps recorded.</p>}>
                <div class="dbg-steps">
                  <For each={detailSteps()}>{(step) => <StepCard step={step} now={props.feed.now()} />}</For>
                </div>
              </Show>
              <div class="dbg-run-footer">
                <ExportButton label="Export this run" pending={exporting()} onClick={exportRun} />
              </div>
            </Match>
            <Match when={detail()?.status === 'error'}>
              <Alert>{detail()?.error || 'Unable to load debug run details.'}</Alert>
            </Match>
            <Match when={true}>
              <p class="dbg-loading">
                <Spinner size={14} label="Loading run details..." />
              </p>
            </Match>
          </Switch>
        </Show>
      </div>
    </li>
  );
}

function ConnectionLine(props: { feed: DebugFeed }) {
  const here = () => (typeof window === 'undefined' ? '/' : window.location.pathname + window.location.search);
  return (
    <Switch>
      <Match when={props.feed.state.connection === 'paused'}>
        <StatusLine tone="warning" class="dbg-connection">
          Live updates paused. Reconnecting…
        </StatusLine>
      </Match>
      <Match when={props.feed.state.connection === 'ended' && props.feed.state.endedMessage}>
        <StatusLine tone="warning" class="dbg-connection">
          Live updates stopped: {props.feed.state.endedMessage}
        </StatusLine>
      </Match>
      <Match when={props.feed.state.connection === 'signed-out'}>
        <p role="status" class="status-line status-warning dbg-connection">
          <span>You are signed out. Sign in to see new debug runs.</span>{' '}
          <a class="link" href={loginHref(here())}>
            Sign in
          </a>
        </p>
      </Match>
    </Switch>
  );
}

export function DebugPanel(props: { feed: DebugFeed }) {
  const toaster = useToasts();
  const feed = () => props.feed;
  const [exporting, setExporting] = createSignal(false);
  let controller: AbortController | undefined;
  // Leaving the page cancels a pending export.
  onCleanup(() => controller?.abort());

  const exportAll = async () => {
    controller?.abort();
    const current = (controller = new AbortController());
    setExporting(true);
    try {
      const outcome = await collectChatExport(
        { chatId: feed().chatId, runIds: feed().runs().map((r) => r.id), loadedDetail: (id) => feed().loadedDetail(id), fetchDetail: (id, signal) => feed().fetchDetail(id, signal) },
        current.signal,
      );
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'all-failed') {
        toaster.show({ tone: 'error', title: 'Failed to export debug logs.', description: 'No debug run details could be fetched.' });
        return;
      }
      const { envelope } = outcome;
      try {
        downloadJson(envelope, exportFileName('chat', feed().chatId, envelope.exported_at));
      } catch (error) {
        console.error('Failed to export debug logs:', error);
        toaster.show({ tone: 'error', title: 'Failed to export debug logs.', description: downloadErrorDescription(error) });
        return;
      }
      const missing = envelope.failed_runs?.length ?? 0;
      if (missing > 0) {
        toaster.show({
          tone: 'warning',
          title: 'Exported debug logs with missing runs.',
          description: `${missing === 1 ? '1 run' : `${missing} runs`} could not be fetched. The downloaded JSON lists them in failed_runs.`,
        });
      }
    } finally {
      if (controller === current) controller = undefined;
      setExporting(false);
    }
  };

  return (
    <div class="dbg-panel">
      <h2 class="visually-hidden">Debug runs</h2>
      <Switch>
        <Match when={feed().state.chatDeleted}>
          <p role="status" class="dbg-deleted">
            This chat was deleted.
          </p>
        </Match>
        <Match when={feed().state.phase === 'error' && feed().runs().length === 0}>
          <Alert>{feed().state.error || 'Unable to load debug panel data.'}</Alert>
        </Match>
        <Match when={feed().state.phase === 'loading' && feed().runs().length === 0}>
          <p class="dbg-loading">
            <Spinner size={16} label="Loading debug runs..." />
          </p>
        </Match>
        <Match when={feed().runs().length === 0}>
          <ConnectionLine feed={feed()} />
          <div class="dbg-empty-state">
            <p class="dbg-empty-title">No debug runs recorded yet</p>
            <p class="muted">Debug logging captures LLM request/response data for each chat turn, title generation, and compaction operation.</p>
            <p class="muted">Runs appear here live as soon as they are recorded.</p>
          </div>
        </Match>
        <Match when={true}>
          <ConnectionLine feed={feed()} />
          <div class="dbg-toolbar">
            <ExportButton label="Export debug logs" pending={exporting()} onClick={() => void exportAll()} />
          </div>
          <ul class="dbg-runs" aria-label="Debug runs">
            <For each={feed().runs()}>{(run) => <RunRow feed={feed()} run={run} />}</For>
          </ul>
        </Match>
      </Switch>
    </div>
  );
}
