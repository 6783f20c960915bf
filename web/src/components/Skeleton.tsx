export function Skeleton(props: { width?: string; height?: string; round?: boolean; class?: string }) {
  return (
    <span
      class={`skeleton ${props.round ? 'skeleton-round' : ''} ${props.class ?? ''}`}
      style={{ width: props.width ?? '100%', height: props.height ?? '1rem' }}
      aria-hidden="true"
      data-testid="skeleton"
    />
  );
}

/** The skeleton that stands in for a switch while its setting loads. */
export function SwitchSkeleton() {
  return <Skeleton width="2.25rem" height="1.25rem" round class="switch-skeleton" />;
}
