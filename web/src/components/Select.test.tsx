import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import userEvent from '@testing-library/user-event';
import { createSignal } from 'solid-js';
import { afterEach, expect, test } from 'vitest';
import { Select } from './Select.tsx';

afterEach(() => cleanup());

const OPTIONS = [
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'other', label: 'Other' },
];

function renderSelect(initial: string | undefined, disabled = false) {
  const [value, setValue] = createSignal(initial);
  const changes: string[] = [];
  render(() => (
    <>
      <span id="label">Provider</span>
      <Select
        aria-labelledby="label"
        value={value()}
        options={OPTIONS}
        placeholder="Select provider"
        disabled={disabled}
        onChange={(v) => {
          changes.push(v);
          setValue(v);
        }}
      />
      <button type="button">elsewhere</button>
    </>
  ));
  return { changes, combobox: screen.getByRole('combobox', { name: 'Provider' }) };
}

test('shows the label, the raw value when unknown, or the placeholder', () => {
  expect(renderSelect('openai').combobox.textContent).toBe('OpenAI');
  cleanup();
  expect(renderSelect('gemini').combobox.textContent).toBe('gemini');
  cleanup();
  expect(renderSelect('').combobox.textContent).toBe('Select provider');
});

test('type-ahead moves to the matching option; Home/End; clicking outside closes', async () => {
  const { combobox, changes } = renderSelect('anthropic');
  const user = userEvent.setup();
  combobox.focus();
  await user.keyboard('o');
  expect(combobox.getAttribute('aria-expanded')).toBe('true');
  const active = () => document.getElementById(combobox.getAttribute('aria-activedescendant') ?? '')?.textContent;
  expect(active()).toBe('OpenAI');
  await user.keyboard('o');
  expect(active()).toBe('Other');
  await user.keyboard('{Home}');
  expect(active()).toBe('Anthropic');
  await user.keyboard('{End}');
  expect(active()).toBe('Other');
  fireEvent.mouseDown(screen.getByRole('button', { name: 'elsewhere' }));
  expect(combobox.getAttribute('aria-expanded')).toBe('false');
  expect(changes).toEqual([]);
  // Choosing the current value changes nothing.
  await user.click(combobox);
  await user.click(screen.getByRole('option', { name: 'Anthropic' }));
  expect(changes).toEqual([]);
  expect(document.activeElement).toBe(combobox);
});

test('a disabled select does not open', async () => {
  const { combobox } = renderSelect('anthropic', true);
  const user = userEvent.setup();
  await user.click(combobox);
  expect(combobox.getAttribute('aria-expanded')).toBe('false');
  expect((combobox as HTMLButtonElement).disabled).toBe(true);
});
