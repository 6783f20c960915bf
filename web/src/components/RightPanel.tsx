import { For, Show, createEffect, createMemo, createSignal, createUniqueId, type JSX } from 'solid-js';

export interface PanelTab {
  /** Stable id, stored in localStorage ("git", "debug", "desktop", "terminal"). */
  id: string;
  label: string;
  content: () => JSX.Element;
}

/** The order tabs appear in, whatever order they are passed in. */
export const TAB_ORDER = ['git', 'debug', 'desktop', 'terminal'];

export const lastActiveTabKey = (chatId: string) => `agents.last-active-tab.${chatId}`;

/** The stored tab when it still exists, else the first tab. */
export function getEffectiveTabId(tabIds: string[], stored: string | null | undefined): string | undefined {
  if (stored && tabIds.includes(stored)) return stored;
  return tabIds[0];
}

function readStored(chatId: string): string | null {
  try {
    return window.localStorage.getItem(lastActiveTabKey(chatId));
  } catch {
    return null;
  }
}

function writeStored(chatId: string, tabId: string) {
  try {
    window.localStorage.setItem(lastActiveTabKey(chatId), tabId);
  } catch {
    // storage unavailable (private mode): the choice is not remembered
  }
}

/**
 * The chat page's right panel: a tablist whose tabs are buttons (each its own Tab stop, no arrow
 * roving), with every panel mounted and the inactive ones hidden and inert. Not shown without tabs.
 */
export function RightPanel(props: { chatId: string; tabs: PanelTab[]; label?: string }) {
  const uid = createUniqueId();
  const ordered = createMemo(() =>
    [...props.tabs].sort((a, b) => {
      const ia = TAB_ORDER.indexOf(a.id);
      const ib = TAB_ORDER.indexOf(b.id);
      return (ia === -1 ? TAB_ORDER.length : ia) - (ib === -1 ? TAB_ORDER.length : ib);
    }),
  );
  const [selected, setSelected] = createSignal<string | null>(readStored(props.chatId));
  createEffect(() => setSelected(readStored(props.chatId)));
  const active = () =>
    getEffectiveTabId(
      ordered().map((t) => t.id),
      selected(),
    );
  const tabId = (id: string) => `panel-${uid}-tab-${id}`;
  const panelId = (id: string) => `panel-${uid}-panel-${id}`;
  const select = (id: string) => {
    setSelected(id);
    writeStored(props.chatId, id);
  };

  return (
    <Show when={ordered().length > 0}>
      <aside class="right-panel" aria-label={props.label ?? 'Chat side panel'}>
        <div role="tablist" class="tablist" aria-label={props.label ?? 'Chat side panel'}>
          <For each={ordered()}>
            {(tab) => (
              <button
                type="button"
                role="tab"
                id={tabId(tab.id)}
                class="tab"
                aria-selected={active() === tab.id ? 'true' : 'false'}
                aria-controls={panelId(tab.id)}
                onClick={() => select(tab.id)}
              >
                {tab.label}
              </button>
            )}
          </For>
        </div>
        <For each={ordered()}>
          {(tab) => (
            <div
              role="tabpanel"
              id={panelId(tab.id)}
              class="tabpanel"
              aria-labelledby={tabId(tab.id)}
              hidden={active() !== tab.id}
              // The inert attribute itself (not only the property), so every DOM sees it.
              ref={(el) => createEffect(() => el.toggleAttribute('inert', active() !== tab.id))}
            >
              {tab.content()}
            </div>
          )}
        </For>
      </aside>
    </Show>
  );
}
