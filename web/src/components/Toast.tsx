import { For, Show, createContext, createSignal, onCleanup, useContext, type JSX } from 'solid-js';
import { CircleAlertIcon, CircleCheckIcon, TriangleAlertIcon, XIcon } from './Icons.tsx';

export type ToastTone = 'success' | 'warning' | 'error';

export interface ToastInput {
  tone: ToastTone;
  title: string;
  description?: string;
}

interface ToastItem extends ToastInput {
  id: number;
}

export interface Toaster {
  show(toast: ToastInput): void;
}

const ToastContext = createContext<Toaster>();

/** Toasts without a provider are logged, so a view rendered on its own never throws. */
const CONSOLE_TOASTER: Toaster = { show: (t) => console.warn(`${t.title}${t.description ? ` ${t.description}` : ''}`) };

export function useToasts(): Toaster {
  return useContext(ToastContext) ?? CONSOLE_TOASTER;
}

const TOAST_MS = 8000;

/**
 * Toasts in a polite live region (role="status"), present before any toast appears so each one
 * is announced. A toast stays 8 seconds and can be dismissed.
 */
export function ToastProvider(props: { children: JSX.Element }) {
  const [toasts, setToasts] = createSignal<ToastItem[]>([]);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let next = 1;
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  const toaster: Toaster = {
    show(toast) {
      const id = next++;
      setToasts((list) => [...list, { ...toast, id }]);
      const timer = setTimeout(() => {
        timers.delete(timer);
        dismiss(id);
      }, TOAST_MS);
      timers.add(timer);
    },
  };
  onCleanup(() => timers.forEach(clearTimeout));
  return (
    <ToastContext.Provider value={toaster}>
      {props.children}
      <div class="toast-region" role="status" aria-live="polite" aria-label="Notifications">
        <For each={toasts()}>
          {(toast) => (
            <div class={`toast toast-${toast.tone}`}>
              <span class="toast-icon">
                {toast.tone === 'success' ? <CircleCheckIcon size={18} /> : toast.tone === 'warning' ? <TriangleAlertIcon size={18} /> : <CircleAlertIcon size={18} />}
              </span>
              <div class="toast-text">
                <p class="toast-title">{toast.title}</p>
                <Show when={toast.description}>
                  <p class="toast-description">{toast.description}</p>
                </Show>
              </div>
              <button type="button" class="icon-button toast-close" aria-label="Dismiss notification" onClick={() => dismiss(toast.id)}>
                <XIcon size={14} />
              </button>
            </div>
          )}
        </For>
      </div>
    </ToastContext.Provider>
  );
}
