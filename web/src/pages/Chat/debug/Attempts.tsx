// Retry attempts of a step (web-ui.md 4.6).
import { Index, Match, Show, Switch, createMemo, createSignal, createUniqueId } from 'solid-js';
import { Badge } from '../../../components/Badge.tsx';
import { ChevronDownIcon } from '../../../components/Icons.tsx';
import { CodeBlock, SectionTitle, StatusBadge, TONE_TO_BADGE } from './parts.tsx';
import { attemptTiming, httpStatusTone, normalizeAttempts, type Attempt } from './utils.ts';

function isEmptyError(error: unknown): boolean {
  if (error === undefined || error === null) return true;
  if (typeof error === 'string') return error.trim() === '';
  if (typeof error === 'object') return Object.keys(error).length === 0;
  return false;
}

function AttemptItem(props: { attempt: Attempt }) {
  const id = `dbg-${createUniqueId()}`;
  const [open, setOpen] = createSignal(false);
  const a = () => props.attempt;
  return (
    <div class="dbg-attempt" classList={{ 'dbg-open': open() }}>
      <button type="button" class="dbg-attempt-trigger" aria-expanded={open() ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open())}>
        <span class="dbg-attempt-line">
          <span class="dbg-attempt-title">Attempt {a().number}</span>{' '}
          <Show when={a().method || a().path}>
            <code class="dbg-mono">{[a().method, a().path].filter(Boolean).join(' ')}</code>
          </Show>
          <Show when={a().httpStatus !== undefined}>
            <Badge tone={TONE_TO_BADGE[httpStatusTone(a().httpStatus!)]} class="dbg-http">
              {String(a().httpStatus)}
            </Badge>
          </Show>
          <Show when={a().status}>
            <span class="dbg-attempt-status">
              <StatusBadge status={a().status} />
            </span>
          </Show>
        </span>{' '}
        <span class="dbg-attempt-timing">{attemptTiming(a())}</span>
        <ChevronDownIcon size={14} class={`dbg-chevron dbg-attempt-chevron ${open() ? 'dbg-chevron-open' : ''}`} />
      </button>
      <div id={id} class="dbg-attempt-body" hidden={!open()}>
        <Show when={open()}>
          <section class="dbg-section">
            <SectionTitle level={4}>Raw request</SectionTitle>
            <Show when={a().request} fallback={<p class="dbg-empty">No raw request captured.</p>}>
              <CodeBlock value={a().request} copyLabel="Copy raw request JSON" />
            </Show>
          </section>
          <section class="dbg-section">
            <SectionTitle level={4}>Raw response</SectionTitle>
            <Show when={a().response} fallback={<p class="dbg-empty">No raw response captured.</p>}>
              <CodeBlock value={a().response} copyLabel="Copy raw response JSON" />
            </Show>
          </section>
          <section class="dbg-section">
            <SectionTitle level={4}>Error</SectionTitle>
            <Show when={!isEmptyError(a().error)} fallback={<p class="dbg-empty">No error captured.</p>}>
              <CodeBlock value={a().error} copyLabel="Copy raw attempt error" />
            </Show>
          </section>
        </Show>
      </div>
    </div>
  );
}

/** "Raw attempts": one closed collapsible per attempt, sorted by number. */
export function RawAttempts(props: { attempts: unknown }) {
  const view = createMemo(() => normalizeAttempts(props.attempts));
  const attempts = () => {
    const v = view();
    return v.kind === 'list' ? v.attempts : [];
  };
  return (
    <section class="dbg-section">
      <SectionTitle>Raw attempts</SectionTitle>
      <Switch>
        <Match when={view().kind === 'unparseable'}>
          <p class="dbg-empty">Unable to parse raw attempts. Showing the original payload exactly as it was captured.</p>
          <CodeBlock value={props.attempts} copyLabel="Copy raw attempts" />
        </Match>
        <Match when={attempts().length > 0}>
          <div class="dbg-attempts">
            {/* By position: an attempt updated by a live event keeps its open state. */}
            <Index each={attempts()}>{(attempt) => <AttemptItem attempt={attempt()} />}</Index>
          </div>
        </Match>
        <Match when={true}>
          <p class="dbg-empty">No attempts captured.</p>
        </Match>
      </Switch>
    </section>
  );
}

/** Whether a step has something to show under "Raw attempts": an attempt, or a raw value other than {} / []. */
export function hasRawAttempts(raw: unknown): boolean {
  return normalizeAttempts(raw).kind !== 'none';
}
