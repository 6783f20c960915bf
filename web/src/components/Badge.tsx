import type { JSX } from 'solid-js';
import { TriangleAlertIcon } from './Icons.tsx';

export type BadgeTone = 'neutral' | 'warning' | 'success' | 'danger' | 'accent' | 'info' | 'purple';

export function Badge(props: { tone?: BadgeTone; children: JSX.Element; class?: string; title?: string }) {
  return <span class={`badge badge-${props.tone ?? 'neutral'} ${props.class ?? ''}`} title={props.title}>{props.children}</span>;
}

export function ExperimentalBadge() {
  return (
    <Badge tone="warning">
      <TriangleAlertIcon size={12} />
      Experimental feature
    </Badge>
  );
}
