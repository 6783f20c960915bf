import { createEffect, on } from 'solid-js';

/**
 * Browsers move focus to <body> when the focused control is disabled, as a control is while its
 * change saves: keyboard and screen-reader users would lose their place and could not press it
 * again. This returns focus to the control when it is enabled again, unless focus went elsewhere.
 * Put the returned focus and blur handlers on the control.
 */
export function keepFocusThroughDisable(control: () => HTMLElement & { disabled: boolean }, disabled: () => boolean | undefined) {
  let focused = false;
  createEffect(
    on(
      () => Boolean(disabled()),
      (isDisabled) => {
        const active = document.activeElement;
        if (!isDisabled && focused && (active === null || active === document.body)) control().focus();
      },
      { defer: true },
    ),
  );
  return {
    onFocus: () => {
      focused = true;
    },
    // A blur caused by disabling does not count: the control is disabled by then.
    onBlur: () => {
      if (!control().disabled) focused = false;
    },
  };
}
