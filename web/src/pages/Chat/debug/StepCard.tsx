// One step of a run (web-ui.md 4.5): a closed card whose header sums the call up.
import { For, Show, createMemo, createSignal, createUniqueId } from 'solid-js';
import { ChevronDownIcon } from '../../../components/Icons.tsx';
import { RawAttempts, hasRawAttempts } from './Attempts.tsx';
import { CodeBlock, Disclosure, SectionTitle, StatusBadge, ToolBadge } from './parts.tsx';
import { InputTranscript, OutputView } from './Transcript.tsx';
import {
  attemptsCount,
  elapsedMs,
  formatDuration,
  formatNumber,
  prettyJson,
  stepError,
  stepMaxTokens,
  stepModel,
  stepOptions,
  stepPolicy,
  stepTokens,
  stepToolChoice,
  stepTools,
  stepUsageEntries,
  type StepLike,
} from './utils.ts';

type PillId = 'tools' | 'options' | 'usage' | 'policy';

function DefinitionList(props: { entries: [string, unknown][] }) {
  return (
    <dl class="dbg-dl">
      <For each={props.entries}>
        {([key, value]) => (
          <div>
            <dt>{key}</dt>
            <dd>
              <Show when={value !== null && typeof value === 'object'} fallback={typeof value === 'number' ? formatNumber(value) : String(value)}>
                <pre class="dbg-inline-json">{prettyJson(value)}</pre>
              </Show>
            </dd>
          </div>
        )}
      </For>
    </dl>
  );
}

function Pills(props: { step: StepLike }) {
  const [open, setOpen] = createSignal<PillId | undefined>();
  const id = `dbg-${createUniqueId()}`;
  const tools = createMemo(() => stepTools(props.step));
  const options = createMemo(() => stepOptions(props.step));
  const usage = createMemo(() => stepUsageEntries(props.step));
  const policy = createMemo(() => stepPolicy(props.step));
  const pills = () =>
    [
      { id: 'tools' as const, label: 'Tools', count: tools().length },
      { id: 'options' as const, label: 'Options', count: options().length },
      { id: 'usage' as const, label: 'Usage', count: usage().length },
      { id: 'policy' as const, label: 'Policy', count: policy().length },
    ].filter((p) => p.count > 0);
  return (
    <Show when={pills().length > 0}>
      <div class="dbg-pills">
        <For each={pills()}>
          {(pill) => (
            <button
              type="button"
              class="dbg-pill"
              aria-pressed={open() === pill.id ? 'true' : 'false'}
              aria-controls={open() === pill.id ? id : undefined}
              onClick={() => setOpen(open() === pill.id ? undefined : pill.id)}
            >
              {pill.label} ({pill.count})
            </button>
          )}
        </For>
      </div>
      <Show when={open()}>
        <div id={id} class="dbg-pill-panel">
          <Show when={open() === 'tools'}>
            <ul class="dbg-tools">
              <For each={tools()}>
                {(tool) => (
                  <li class="dbg-tool">
                    <ToolBadge name={tool.name} />
                    <Show when={tool.description}>
                      <p class="dbg-tool-description">{tool.description}</p>
                    </Show>
                    <Show when={tool.schema !== undefined}>
                      <p class="dbg-block-label">JSON SCHEMA</p>
                      <CodeBlock value={tool.schema} size="small" copyLabel={`Copy ${tool.name} JSON schema`} />
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <Show when={open() === 'options'}>
            <DefinitionList entries={options()} />
          </Show>
          <Show when={open() === 'usage'}>
            <DefinitionList entries={usage()} />
          </Show>
          <Show when={open() === 'policy'}>
            <DefinitionList entries={policy()} />
          </Show>
        </div>
      </Show>
    </Show>
  );
}

function MetadataBar(props: { step: StepLike }) {
  const attempts = () => attemptsCount(props.step.attempts);
  const items = () => {
    const list: [string, string][] = [];
    const model = stepModel(props.step);
    if (model) list.push(['Model:', model]);
    const maxTokens = stepMaxTokens(props.step);
    if (maxTokens !== undefined) list.push(['Max tokens:', formatNumber(maxTokens)]);
    const toolChoice = stepToolChoice(props.step);
    if (toolChoice !== undefined) list.push(['Tool choice:', toolChoice]);
    return list;
  };
  return (
    <Show when={items().length > 0 || attempts() > 0}>
      <div class="dbg-metabar">
        <For each={items()}>
          {([label, value]) => (
            <span class="dbg-metabar-item">
              <span class="dbg-metabar-label">{label}</span> <span class="dbg-metabar-value">{value}</span>
            </span>
          )}
        </For>
        <Show when={attempts() > 0}>
          <span class="dbg-metabar-item">{attempts() === 1 ? '1 attempt' : `${formatNumber(attempts())} attempts`}</span>
        </Show>
      </div>
    </Show>
  );
}

export function StepCard(props: { step: StepLike; now: number }) {
  const id = `dbg-${createUniqueId()}`;
  const [open, setOpen] = createSignal(false);
  const s = () => props.step;
  const model = () => stepModel(s());
  const tokens = () => stepTokens(s());
  const duration = () => formatDuration(elapsedMs(s().started_at, s().finished_at, props.now));
  const error = createMemo(() => stepError(s()));
  return (
    <div class="dbg-step" classList={{ 'dbg-open': open() }}>
      <button type="button" class="dbg-step-trigger" aria-expanded={open() ? 'true' : 'false'} aria-controls={id} onClick={() => setOpen(!open())}>
        <span class="dbg-step-title">Step {String(s().step_number ?? '?')}</span>{' '}
        <span class="dbg-step-meta">
          <Show when={model()}>
            <span class="dbg-step-model">{model()}</span>
          </Show>
          <span>{duration()}</span>
          <Show when={tokens()}>
            <span>{tokens()}</span>
          </Show>
        </span>{' '}
        <span class="dbg-side">
          <StatusBadge status={s().status} />
          <ChevronDownIcon size={14} class={`dbg-chevron ${open() ? 'dbg-chevron-open' : ''}`} />
        </span>
      </button>
      <div id={id} class="dbg-step-body" hidden={!open()}>
        <Show when={open()}>
          <MetadataBar step={s()} />
          <Pills step={s()} />
          <section class="dbg-section">
            <SectionTitle>Input</SectionTitle>
            <InputTranscript step={s()} />
          </section>
          <section class="dbg-section">
            <SectionTitle>Output</SectionTitle>
            <OutputView step={s()} />
          </section>
          <Show when={error()}>
            {(e) => (
              <section class="dbg-section">
                <SectionTitle>Error</SectionTitle>
                <CodeBlock text={e().text} copyLabel={e().copyLabel} class="dbg-code-error" />
              </section>
            )}
          </Show>
          <Disclosure label="Request body">{() => <CodeBlock value={s().normalized_request ?? {}} copyLabel="Copy request body JSON" />}</Disclosure>
          <Show when={s().normalized_response !== undefined && s().normalized_response !== null}>
            <Disclosure label="Response body">{() => <CodeBlock value={s().normalized_response} copyLabel="Copy response body JSON" />}</Disclosure>
          </Show>
          <Show when={hasRawAttempts(s().attempts)}>
            <RawAttempts attempts={s().attempts} />
          </Show>
        </Show>
      </div>
    </div>
  );
}
