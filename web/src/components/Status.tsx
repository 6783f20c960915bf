import { Show, type JSX } from 'solid-js';
import { CircleAlertIcon } from './Icons.tsx';

/** Small red text under a section; announced when it appears. */
export function ErrorText(props: { children: JSX.Element; id?: string }) {
  return (
    <p class="error-text" role="alert" id={props.id}>
      {props.children}
    </p>
  );
}

/** A polite live region (role="status"). */
export function StatusLine(props: { children: JSX.Element; tone?: 'success' | 'warning' | 'neutral' | 'danger'; class?: string; id?: string }) {
  return (
    <p role="status" id={props.id} class={`status-line status-${props.tone ?? 'neutral'} ${props.class ?? ''}`}>
      {props.children}
    </p>
  );
}

export function Spinner(props: { label?: string; size?: number }) {
  return (
    <span class="spinner-wrap">
      <span class="spinner" style={{ width: `${props.size ?? 16}px`, height: `${props.size ?? 16}px` }} aria-hidden="true" />
      <Show when={props.label}>
        <span>{props.label}</span>
      </Show>
    </span>
  );
}

export function Alert(props: { title?: string; children: JSX.Element; tone?: 'danger' | 'warning' }) {
  return (
    <div class={`alert alert-${props.tone ?? 'danger'}`} role="alert">
      <CircleAlertIcon size={18} />
      <div>
        <Show when={props.title}>
          <p class="alert-title">{props.title}</p>
        </Show>
        <div class="alert-body">{props.children}</div>
      </div>
    </div>
  );
}
