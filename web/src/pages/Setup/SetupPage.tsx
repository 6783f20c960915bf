import { useNavigate } from '@solidjs/router';
import { Match, Switch, createSignal, onMount } from 'solid-js';
import { RestError, createFirstUser, firstUserExists, signIn, type FirstUserInput } from '../../api/rest.ts';
import { Alert, Spinner } from '../../components/Status.tsx';
import { useSession } from '../../session/session.tsx';
import { SetupView } from './SetupView.tsx';

/** /setup: only while no user exists; afterwards it sends visitors to sign in. */
export function SetupPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [state, setState] = createSignal<'checking' | 'open' | 'unreachable'>('checking');
  const [submitting, setSubmitting] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});

  onMount(async () => {
    try {
      if (await firstUserExists()) navigate(session.user() ? '/agents' : '/login', { replace: true });
      else setState('open');
    } catch {
      setState('unreachable');
    }
  });

  const onSubmit = async (input: FirstUserInput) => {
    setSubmitting(true);
    setError(undefined);
    setFieldErrors({});
    try {
      await createFirstUser(input);
      await signIn(input.email, input.password);
      session.restart('/agents');
    } catch (e) {
      if (e instanceof RestError) {
        setFieldErrors(Object.fromEntries(e.validations.map((v) => [v.field, v.detail])));
        setError(e.status === 409 ? 'The first user has already been created. Sign in instead.' : e.message);
      } else {
        setError('Failed to create the first user. Check your connection and try again.');
      }
      setSubmitting(false);
    }
  };

  return (
    <Switch>
      <Match when={state() === 'checking'}>
        <main class="center-page" aria-busy="true">
          <Spinner label="Loading…" size={20} />
        </main>
      </Match>
      <Match when={state() === 'unreachable'}>
        <main class="center-page">
          <Alert title="Cannot reach the server">Reload the page to try again.</Alert>
        </main>
      </Match>
      <Match when={state() === 'open'}>
        <SetupView submitting={submitting()} error={error()} fieldErrors={fieldErrors()} onSubmit={onSubmit} />
      </Match>
    </Switch>
  );
}
