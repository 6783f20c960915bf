import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RightPanel, lastActiveTabKey, type PanelTab } from './RightPanel.tsx';

beforeEach(() => localStorage.clear());
afterEach(() => cleanup());

const tabs: PanelTab[] = [
  { id: 'terminal', label: 'Terminal', content: () => <p>terminal body</p> },
  { id: 'desktop', label: 'Desktop', content: () => <p>desktop body</p> },
  { id: 'git', label: 'Git', content: () => <p>git body</p> },
];

test('tabs follow the fixed order; inactive panels stay mounted but hidden and inert', () => {
  render(() => <RightPanel chatId="c1" tabs={tabs} />);
  expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Git', 'Desktop', 'Terminal']);
  expect(screen.getByRole('tab', { name: 'Git' }).getAttribute('aria-selected')).toBe('true');
  const desktopPanel = document.getElementById(screen.getByRole('tab', { name: 'Desktop' }).getAttribute('aria-controls')!)!;
  expect(desktopPanel.hidden).toBe(true);
  expect(desktopPanel.hasAttribute('inert')).toBe(true);
  expect(desktopPanel.textContent).toBe('desktop body');
  fireEvent.click(screen.getByRole('tab', { name: 'Desktop' }));
  expect(desktopPanel.hidden).toBe(false);
  expect(desktopPanel.hasAttribute('inert')).toBe(false);
  expect(screen.getByRole('tab', { name: 'Git' }).getAttribute('aria-selected')).toBe('false');
  expect(localStorage.getItem(lastActiveTabKey('c1'))).toBe('desktop');
  // Every tab is its own Tab stop.
  for (const tab of screen.getAllByRole('tab')) expect(tab.getAttribute('tabindex')).toBeNull();
});

test('the stored tab is restored; an unknown stored id falls back to the first tab; no tabs, no panel', () => {
  localStorage.setItem(lastActiveTabKey('c2'), 'terminal');
  render(() => <RightPanel chatId="c2" tabs={tabs} />);
  expect(screen.getByRole('tab', { name: 'Terminal' }).getAttribute('aria-selected')).toBe('true');
  cleanup();
  localStorage.setItem(lastActiveTabKey('c3'), 'bogus');
  render(() => <RightPanel chatId="c3" tabs={tabs} />);
  expect(screen.getByRole('tab', { name: 'Git' }).getAttribute('aria-selected')).toBe('true');
  cleanup();
  render(() => <RightPanel chatId="c4" tabs={[]} />);
  expect(screen.queryByRole('tablist')).toBeNull();
  expect(screen.queryByRole('complementary')).toBeNull();
});
