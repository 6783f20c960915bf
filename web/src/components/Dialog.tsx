import { createUniqueId, onCleanup, onMount, type JSX } from 'solid-js';
import { Portal } from 'solid-js/web';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  description?: JSX.Element;
  children?: JSX.Element;
  /** Escape and the backdrop close the dialog only when this is given. */
  onClose?: () => void;
}

/**
 * A modal dialog: role="dialog", aria-modal, labelled by its title and described by its
 * description; focus moves into it and Tab cycles inside it; focus returns on close.
 */
export function Dialog(props: DialogProps) {
  const titleId = `dialog-${createUniqueId()}-title`;
  const descriptionId = `dialog-${createUniqueId()}-description`;
  let panel!: HTMLDivElement;
  const previous = typeof document !== 'undefined' ? (document.activeElement as HTMLElement | null) : null;

  const focusables = () => Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE));
  onMount(() => {
    (focusables()[0] ?? panel).focus();
  });
  onCleanup(() => previous?.focus?.());

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && props.onClose) {
      event.preventDefault();
      props.onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = focusables();
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <Portal>
      <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose?.()}>
        <div
          ref={panel}
          class="dialog"
          role="dialog"
          aria-modal="true"
          aria-labelledby={titleId}
          aria-describedby={props.description ? descriptionId : undefined}
          tabIndex={-1}
          onKeyDown={onKeyDown}
        >
          <h2 class="dialog-title" id={titleId}>
            {props.title}
          </h2>
          {props.description && (
            <p class="dialog-description" id={descriptionId}>
              {props.description}
            </p>
          )}
          {props.children}
        </div>
      </div>
    </Portal>
  );
}
