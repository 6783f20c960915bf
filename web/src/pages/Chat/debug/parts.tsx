// Small pieces of the Debug tab: code blocks with copy buttons, disclosures, status badges, tool cards.
import { Show, createSignal, createUniqueId, onCleanup, type JSX } from 'solid-js';
import { Badge, type BadgeTone } from '../../../components/Badge.tsx';
import { CheckIcon, ChevronDownIcon, CopyIcon, WrenchIcon } from '../../../components/Icons.tsx';
import { useToasts } from '../../../components/Toast.tsx';
import { prettyJson, statusText, statusTone, type StatusTone, type ToolCard } from './utils.ts';

export const TONE_TO_BADGE: Record<StatusTone, BadgeTone> = {
  success: 'success',
  destructive: 'danger',
  info: 'info',
  warning: 'warning',
  default: 'neutral',
};

/** A small badge with the raw status string, coloured by status (web-ui.md 4.4). */
export function StatusBadge(props: { status: unknown }) {
  return (
    <Badge tone={TONE_TO_BADGE[statusTone(props.status)]} class="dbg-status">
      {statusText(props.status)}
    </Badge>
  );
}

/**
 * Makes a block a Tab stop only while it actually scrolls, so keyboard users can scroll it and
 * short blocks add no extra stops (layout is only known in a real browser).
 */
export function focusableWhenScrolling(el: HTMLElement) {
  if (typeof ResizeObserver === 'undefined') return;
  const update = () => {
    const scrolls = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
    if (scrolls) el.tabIndex = 0;
    else el.removeAttribute('tabindex');
  };
  const observer = new ResizeObserver(update);
  observer.observe(el);
  if (el.firstElementChild) observer.observe(el.firstElementChild);
  onCleanup(() => observer.disconnect());
}

/** Icon-only copy button; the check shows for one second after copying. */
export function CopyButton(props: { label: string; text: () => string }) {
  const toaster = useToasts();
  const [copied, setCopied] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('The clipboard is not available.');
      await navigator.clipboard.writeText(props.text());
      setCopied(true);
      clearTimeout(timer);
      timer = setTimeout(() => setCopied(false), 1000);
    } catch (error) {
      console.error('copy failed:', error);
      toaster.show({ tone: 'error', title: 'Failed to copy text to clipboard' });
    }
  };
  return (
    <button type="button" class="dbg-copy" aria-label={props.label} title={props.label} onClick={() => void copy()} data-copied={copied() ? 'true' : undefined}>
      <Show when={copied()} fallback={<CopyIcon size={14} />}>
        <CheckIcon size={14} />
      </Show>
    </button>
  );
}

/** A plain `<pre><code>` block of pretty JSON (or text) with a copy button in its corner. */
export function CodeBlock(props: { value?: unknown; text?: string; copyLabel: string; size?: 'normal' | 'small'; class?: string }) {
  const text = () => props.text ?? prettyJson(props.value);
  return (
    <div class={`dbg-code ${props.size === 'small' ? 'dbg-code-small' : ''} ${props.class ?? ''}`}>
      <pre ref={focusableWhenScrolling}>
        <code>{text()}</code>
      </pre>
      <CopyButton label={props.copyLabel} text={text} />
    </div>
  );
}

/** A small closed-by-default toggle (chevron + text) revealing its content. */
export function Disclosure(props: { label: string; children: () => JSX.Element; class?: string }) {
  const id = `dbg-${createUniqueId()}`;
  const [open, setOpen] = createSignal(false);
  return (
    <div class={`dbg-disclosure ${props.class ?? ''}`}>
      <button type="button" class="dbg-toggle" aria-expanded={open() ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open())}>
        <ChevronDownIcon size={14} class={`dbg-chevron ${open() ? 'dbg-chevron-open' : ''}`} />
        {props.label}
      </button>
      <div id={id} class="dbg-disclosure-body" hidden={!open()}>
        <Show when={open()}>{props.children()}</Show>
      </div>
    </div>
  );
}

/** A section heading: level 3 inside a step (under the panel's level 2), level 4 inside an attempt. */
export function SectionTitle(props: { children: JSX.Element; level?: 3 | 4 }) {
  return (
    <Show when={props.level === 4} fallback={<h3 class="dbg-section-title">{props.children}</h3>}>
      <h4 class="dbg-section-title">{props.children}</h4>
    </Show>
  );
}

export function ToolBadge(props: { name?: string }) {
  return (
    <Badge tone="purple" class="dbg-tool-badge">
      <WrenchIcon size={12} />
      {props.name ?? 'tool'}
    </Badge>
  );
}

/** A tool call or result: tool badge, id, and its ARGUMENTS / RESULT block. */
export function ToolCardView(props: { tool: ToolCard; argumentsLabel?: string }) {
  const title = () => (props.tool.kind === 'call' ? (props.argumentsLabel ?? 'ARGUMENTS') : 'RESULT');
  return (
    <div class="dbg-tool-card">
      <div class="dbg-tool-head">
        <ToolBadge name={props.tool.name} />
        <Show when={props.tool.id}>
          <code class="dbg-tool-id">{props.tool.id}</code>
        </Show>
      </div>
      <p class="dbg-block-label">{title()}</p>
      <Show when={props.tool.payload !== undefined && props.tool.payload !== ''} fallback={<p class="dbg-empty">{props.tool.kind === 'call' ? 'No arguments captured.' : 'No result captured.'}</p>}>
        <CodeBlock
          value={props.tool.payload}
          size="small"
          copyLabel={`Copy ${props.tool.name ?? 'tool'} ${props.tool.kind === 'call' ? 'arguments' : 'result'}`}
        />
      </Show>
    </div>
  );
}
