import { splitProps } from 'solid-js';
import { keepFocusThroughDisable } from './keepFocus.ts';

export interface SwitchProps {
  checked: boolean;
  onChange?: (checked: boolean) => void;
  disabled?: boolean;
  id?: string;
  'aria-label'?: string;
  'aria-labelledby'?: string;
  'aria-describedby'?: string;
}

/**
 * A native button with role="switch": Space and Enter toggle it (the browser turns both into a
 * click), and `disabled` takes it out of the tab order.
 */
export function Switch(props: SwitchProps) {
  const [local, aria] = splitProps(props, ['checked', 'onChange', 'disabled', 'id']);
  let button!: HTMLButtonElement;
  const focus = keepFocusThroughDisable(() => button, () => local.disabled);
  return (
    <button
      ref={button}
      onFocus={focus.onFocus}
      onBlur={focus.onBlur}
      type="button"
      role="switch"
      id={local.id}
      class="switch"
      aria-checked={local.checked ? 'true' : 'false'}
      disabled={local.disabled}
      onClick={() => {
        if (!local.disabled) local.onChange?.(!local.checked);
      }}
      {...aria}
    >
      <span class="switch-thumb" aria-hidden="true" />
    </button>
  );
}
