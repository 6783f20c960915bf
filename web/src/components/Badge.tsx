import type { JSX } from 'solid-js';
import { TriangleAlertIcon } from './Icons.tsx';

export function Badge(props: { tone?: 'neutral' | 'warning' | 'success' | 'danger' | 'accent'; children: JSX.Element; class?: string }) {
  return <span class={`badge badge-${props.tone ?? 'neutral'} ${props.class ?? ''}`}>{props.children}</span>;
}

export function ExperimentalBadge() {
  return (
    <Badge tone="warning">
      <TriangleAlertIcon size={12} />
      Experimental feature
    </Badge>
  );
}
