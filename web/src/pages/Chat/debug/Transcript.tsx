// A step's Input (the request's messages) and Output (the response) (web-ui.md 4.5 items 3–4).
import { For, Index, Show, createMemo, createSignal } from 'solid-js';
import { Badge } from '../../../components/Badge.tsx';
import { ToolCardView, focusableWhenScrolling } from './parts.tsx';
import { clampText, codePointLength, roleTone, stepMessages, stepOutput, type StepLike, type TranscriptMessage } from './utils.ts';

const MESSAGE_MAX = 160;
const VISIBLE_AT_FIRST = 2;

function MessageText(props: { text: string; role: string }) {
  const [expanded, setExpanded] = createSignal(false);
  const long = () => codePointLength(props.text) > MESSAGE_MAX || props.text.split('\n').length > 3;
  return (
    <div class="dbg-message-text-wrap">
      <p class="dbg-message-text" classList={{ 'dbg-clamped': long() && !expanded() }}>
        {long() && !expanded() ? clampText(props.text, MESSAGE_MAX) : props.text}
      </p>
      <Show when={long()}>
        <button
          type="button"
          class="dbg-link-button"
          aria-expanded={expanded() ? 'true' : 'false'}
          aria-label={`${expanded() ? 'See less' : 'See more'} of ${props.role} message`}
          onClick={() => setExpanded(!expanded())}
        >
          {expanded() ? 'see less' : 'see more'}
        </button>
      </Show>
    </div>
  );
}

function MessageView(props: { message: TranscriptMessage }) {
  const m = () => props.message;
  const singleTool = () => m().tools.length === 1 && m().text.trim() === '';
  return (
    <li class="dbg-message">
      <div class="dbg-message-head">
        <Badge tone={roleTone(m().role)} class="dbg-role">
          {m().role}
        </Badge>
        <Show when={m().toolName ?? m().toolCallId}>
          <span class="dbg-message-meta">{m().toolName ?? m().toolCallId}</span>
        </Show>
      </div>
      <Show when={!singleTool() && m().text !== ''}>
        <MessageText text={m().text} role={m().role} />
      </Show>
      <Index each={m().tools}>{(tool) => <ToolCardView tool={tool()} />}</Index>
    </li>
  );
}

export function InputTranscript(props: { step: StepLike }) {
  const messages = createMemo(() => stepMessages(props.step));
  const [showAll, setShowAll] = createSignal(false);
  const visible = () => (showAll() ? messages() : messages().slice(-VISIBLE_AT_FIRST));
  return (
    <Show when={messages().length > 0} fallback={<p class="dbg-empty">No input messages captured.</p>}>
      <Show when={messages().length > VISIBLE_AT_FIRST}>
        <button type="button" class="dbg-link-button" aria-expanded={showAll() ? 'true' : 'false'} onClick={() => setShowAll(!showAll())}>
          {showAll() ? 'Show last 2 only' : `Show all ${messages().length} messages`}
        </button>
      </Show>
      <ol class="dbg-messages">
        <Index each={visible()}>{(message) => <MessageView message={message()} />}</Index>
      </ol>
    </Show>
  );
}

export function OutputView(props: { step: StepLike }) {
  const output = createMemo(() => stepOutput(props.step));
  const empty = () => output().text === '' && output().tools.length === 0 && !output().finishReason && output().warnings.length === 0;
  return (
    <Show when={!empty()} fallback={<p class="dbg-empty">No output captured.</p>}>
      <Show when={output().text !== ''}>
        <div class="dbg-output-text" ref={focusableWhenScrolling}>
          {output().text}
        </div>
      </Show>
      <Index each={output().tools}>{(tool) => <ToolCardView tool={tool()} argumentsLabel="Arguments" />}</Index>
      <Show when={output().finishReason}>
        <p class="dbg-finish">Finish: {output().finishReason}</p>
      </Show>
      <Show when={output().warnings.length > 0}>
        <ul class="dbg-warnings">
          <For each={output().warnings}>
            {(warning) => (
              <li>
                <span aria-hidden="true">⚠ </span>
                <span class="visually-hidden">Warning: </span>
                {warning}
              </li>
            )}
          </For>
        </ul>
      </Show>
    </Show>
  );
}
