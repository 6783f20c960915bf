import { For, Show, createSignal } from 'solid-js';
import { LogoMark } from '../../components/Icons.tsx';
import { Spinner } from '../../components/Status.tsx';
import type { FirstUserInput } from '../../api/rest.ts';

export interface SetupViewProps {
  submitting: boolean;
  error?: string;
  fieldErrors: Record<string, string>;
  onSubmit: (input: FirstUserInput) => void;
}

const FIELDS = [
  { name: 'email', label: 'Email', type: 'email', autocomplete: 'email', required: true, help: undefined },
  { name: 'username', label: 'Username', type: 'text', autocomplete: 'username', required: true, help: 'Letters, digits and single dashes.' },
  { name: 'name', label: 'Full name (optional)', type: 'text', autocomplete: 'name', required: false, help: undefined },
  { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, help: 'At least 8 characters.' },
] as const;

export function SetupView(props: SetupViewProps) {
  const [values, setValues] = createSignal<Record<string, string>>({ email: '', username: '', name: '', password: '' });
  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand">
          <LogoMark size={36} />
        </div>
        <h1 class="auth-title">Create the first user</h1>
        <p class="auth-subtitle">This account becomes the owner of the deployment and can change every setting.</p>
        <form
          class="form-stack"
          onSubmit={(event) => {
            event.preventDefault();
            const v = values();
            props.onSubmit({ email: v.email, username: v.username, password: v.password, ...(v.name.trim() ? { name: v.name } : {}) });
          }}
        >
          <For each={FIELDS}>
            {(field) => {
              const id = `setup-${field.name}`;
              const describedBy = () =>
                [field.help ? `${id}-help` : '', props.fieldErrors[field.name] ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
              return (
                <div class="field">
                  <label for={id}>{field.label}</label>
                  <input
                    id={id}
                    class="input"
                    name={field.name}
                    type={field.type}
                    autocomplete={field.autocomplete}
                    required={field.required}
                    value={values()[field.name]}
                    onInput={(e) => setValues({ ...values(), [field.name]: e.currentTarget.value })}
                    aria-invalid={props.fieldErrors[field.name] ? 'true' : undefined}
                    aria-describedby={describedBy()}
                  />
                  <Show when={field.help}>
                    <p class="help-text" id={`${id}-help`}>
                      {field.help}
                    </p>
                  </Show>
                  <Show when={props.fieldErrors[field.name]}>
                    <p class="error-text" id={`${id}-error`}>
                      {props.fieldErrors[field.name]}
                    </p>
                  </Show>
                </div>
              );
            }}
          </For>
          <Show when={props.error}>
            <p class="error-text" role="alert">
              {props.error}
            </p>
          </Show>
          <button type="submit" class="button button-primary button-block" disabled={props.submitting}>
            <Show when={props.submitting}>
              <Spinner size={14} />
            </Show>
            Create account
          </button>
        </form>
      </div>
    </main>
  );
}
