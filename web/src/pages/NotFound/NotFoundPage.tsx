import { A } from '@solidjs/router';

export function NotFoundPage() {
  return (
    <div class="page narrow-page">
      <div class="empty-state">
        <h1 class="page-title">Page not found</h1>
        <p class="muted">The page you are looking for does not exist.</p>
        <A href="/agents" class="button button-primary">
          Go to agents
        </A>
      </div>
    </div>
  );
}
