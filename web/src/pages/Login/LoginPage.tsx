import { Navigate, useNavigate, useSearchParams } from '@solidjs/router';
import { Match, Switch, createSignal, onMount } from 'solid-js';
import { RestError, firstUserExists, signIn } from '../../api/rest.ts';
import { Spinner } from '../../components/Status.tsx';
import { safeRedirect, useSession } from '../../session/session.tsx';
import { LoginView } from './LoginView.tsx';

export function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [submitting, setSubmitting] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const target = () => safeRedirect(typeof search.redirect === 'string' ? search.redirect : undefined);

  onMount(() => {
    // A fresh deployment has no user yet: create the owner first.
    firstUserExists()
      .then((exists) => {
        if (!exists) navigate('/setup', { replace: true });
      })
      .catch(() => undefined);
  });

  const onSubmit = async (email: string, password: string) => {
    setSubmitting(true);
    setError(undefined);
    try {
      await signIn(email, password);
      session.restart(target());
    } catch (e) {
      setError(e instanceof RestError ? e.message : 'Failed to sign in. Check your connection and try again.');
      setSubmitting(false);
    }
  };

  return (
    <Switch>
      <Match when={session.user()}>
        <Navigate href={target()} />
      </Match>
      <Match when={session.user() === undefined && !session.loadError()}>
        <main class="center-page" aria-busy="true">
          <Spinner label="Loading…" size={20} />
        </main>
      </Match>
      <Match when={true}>
        <LoginView submitting={submitting()} error={error()} onSubmit={onSubmit} />
      </Match>
    </Switch>
  );
}
