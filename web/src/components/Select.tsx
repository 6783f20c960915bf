import { For, Show, createSignal, createUniqueId, onCleanup, type JSX } from 'solid-js';
import { CheckIcon, ChevronDownIcon } from './Icons.tsx';
import { keepFocusThroughDisable } from './keepFocus.ts';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps {
  id?: string;
  value: string | undefined;
  options: SelectOption[];
  onChange: (value: string) => void;
  /** Shown when the value is empty. */
  placeholder?: string;
  /** Overrides what the trigger shows (e.g. "Loading..." or a skeleton). */
  display?: JSX.Element;
  disabled?: boolean;
  invalid?: boolean;
  class?: string;
  'aria-label'?: string;
  'aria-labelledby'?: string;
  'aria-describedby'?: string;
}

/**
 * A select-only combobox (WAI-ARIA APG): a button with role="combobox" that keeps focus while a
 * listbox pops up; arrows, Home/End and type-ahead move, Enter/Space choose, Escape closes.
 * The trigger shows the chosen option's label, the raw value when it is not an option, or the
 * placeholder when empty.
 */
export function Select(props: SelectProps) {
  const uid = createUniqueId();
  const triggerId = () => props.id ?? `select-${uid}`;
  const listId = `select-${uid}-list`;
  const optionId = (index: number) => `select-${uid}-opt-${index}`;
  const [open, setOpen] = createSignal(false);
  const [active, setActive] = createSignal(0);
  let root!: HTMLDivElement;
  let trigger!: HTMLButtonElement;
  const focus = keepFocusThroughDisable(() => trigger, () => props.disabled);
  let suppressClick = false;
  let typed = '';
  let typedTimer: ReturnType<typeof setTimeout> | undefined;

  const selectedIndex = () => props.options.findIndex((o) => o.value === props.value);
  const label = () => {
    const option = props.options[selectedIndex()];
    if (option) return option.label;
    return props.value ? props.value : undefined;
  };

  const onDocumentPointerDown = (event: PointerEvent | MouseEvent) => {
    if (!root.contains(event.target as Node)) setOpen(false);
  };
  const show = () => {
    if (props.disabled || props.options.length === 0) return;
    setActive(Math.max(0, selectedIndex()));
    setOpen(true);
    document.addEventListener('mousedown', onDocumentPointerDown);
    queueMicrotask(() => document.getElementById(optionId(active()))?.scrollIntoView?.({ block: 'nearest' }));
  };
  const hide = () => {
    setOpen(false);
    document.removeEventListener('mousedown', onDocumentPointerDown);
  };
  onCleanup(() => {
    document.removeEventListener('mousedown', onDocumentPointerDown);
    clearTimeout(typedTimer);
  });

  const choose = (index: number) => {
    const option = props.options[index];
    hide();
    if (option && option.value !== props.value) props.onChange(option.value);
  };
  const move = (index: number) => {
    const count = props.options.length;
    if (count === 0) return;
    const next = Math.min(count - 1, Math.max(0, index));
    setActive(next);
    document.getElementById(optionId(next))?.scrollIntoView?.({ block: 'nearest' });
  };
  const typeAhead = (char: string) => {
    clearTimeout(typedTimer);
    typed += char.toLowerCase();
    typedTimer = setTimeout(() => (typed = ''), 500);
    if (!open()) show();
    const n = props.options.length;
    // Repeating one letter cycles through the options that start with it.
    const search = [...typed].every((c) => c === typed[0]) ? typed[0] : typed;
    const offset = search.length === 1 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const index = (active() + offset + i) % n;
      if (props.options[index].label.toLowerCase().startsWith(search)) {
        move(index);
        return;
      }
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (props.disabled) return;
    if (!open()) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        show();
      } else if (event.key.length === 1 && event.key !== ' ' && !event.ctrlKey && !event.metaKey && !event.altKey) {
        typeAhead(event.key);
      }
      // Enter and Space reach the button's native click, which opens the list.
      return;
    }
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        move(active() + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (event.altKey) choose(active());
        else move(active() - 1);
        break;
      case 'Home':
      case 'PageUp':
        event.preventDefault();
        move(0);
        break;
      case 'End':
      case 'PageDown':
        event.preventDefault();
        move(props.options.length - 1);
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        // Space clicks a button on keyup: that click must not reopen the list.
        if (event.key === ' ') suppressClick = true;
        choose(active());
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        hide();
        break;
      case 'Tab':
        hide();
        break;
      default:
        if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) typeAhead(event.key);
    }
  };
  const onKeyUp = (event: KeyboardEvent) => {
    if (event.key === ' ' && suppressClick) {
      event.preventDefault();
      setTimeout(() => (suppressClick = false), 0);
    }
  };

  return (
    <div class={`select ${props.class ?? ''}`} ref={root}>
      <button
        ref={trigger}
        type="button"
        role="combobox"
        id={triggerId()}
        class="select-trigger"
        classList={{ 'select-placeholder': label() === undefined && !props.display }}
        aria-haspopup="listbox"
        aria-expanded={open() ? 'true' : 'false'}
        aria-controls={listId}
        aria-activedescendant={open() ? optionId(active()) : undefined}
        aria-label={props['aria-label']}
        aria-labelledby={props['aria-labelledby']}
        aria-describedby={props['aria-describedby']}
        aria-invalid={props.invalid ? 'true' : undefined}
        disabled={props.disabled}
        onClick={() => {
          if (suppressClick) {
            suppressClick = false;
            return;
          }
          if (open()) hide();
          else show();
        }}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
        onFocusOut={(event) => {
          if (!root.contains(event.relatedTarget as Node | null)) hide();
        }}
        onFocus={focus.onFocus}
        onBlur={focus.onBlur}
      >
        <span class="select-value">{props.display ?? label() ?? props.placeholder ?? ''}</span>
        <ChevronDownIcon class="select-chevron" />
      </button>
      <ul
        role="listbox"
        id={listId}
        class="select-list"
        hidden={!open()}
        tabIndex={-1}
        aria-labelledby={props['aria-labelledby']}
        aria-label={props['aria-labelledby'] ? undefined : props['aria-label']}
      >
        <For each={props.options}>
          {(option, index) => (
            <li
              role="option"
              id={optionId(index())}
              class="select-option"
              classList={{ 'select-option-active': open() && active() === index() }}
              aria-selected={option.value === props.value ? 'true' : 'false'}
              onMouseDown={(event) => event.preventDefault()}
              onMouseMove={() => setActive(index())}
              onClick={() => {
                choose(index());
                trigger.focus();
              }}
            >
              <span>{option.label}</span>
              <Show when={option.value === props.value}>
                <CheckIcon class="select-check" size={14} />
              </Show>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
