import { Show, createSignal } from 'solid-js';
import { LogoMark } from '../../components/Icons.tsx';
import { Spinner } from '../../components/Status.tsx';

export interface LoginViewProps {
  submitting: boolean;
  error?: string;
  onSubmit: (email: string, password: string) => void;
}

export function LoginView(props: LoginViewProps) {
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand">
          <LogoMark size={36} />
        </div>
        <h1 class="auth-title">Sign in to Experiments</h1>
        <p class="auth-subtitle">Use the email and password of your account.</p>
        <form
          class="form-stack"
          onSubmit={(event) => {
            event.preventDefault();
            props.onSubmit(email(), password());
          }}
        >
          <div class="field">
            <label for="login-email">Email</label>
            <input
              id="login-email"
              class="input"
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email()}
              onInput={(e) => setEmail(e.currentTarget.value)}
              aria-describedby={props.error ? 'login-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="login-password">Password</label>
            <input
              id="login-password"
              class="input"
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password()}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-describedby={props.error ? 'login-error' : undefined}
            />
          </div>
          <Show when={props.error}>
            <p class="error-text" id="login-error" role="alert">
              {props.error}
            </p>
          </Show>
          <button type="submit" class="button button-primary button-block" disabled={props.submitting}>
            <Show when={props.submitting}>
              <Spinner size={14} />
            </Show>
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}
