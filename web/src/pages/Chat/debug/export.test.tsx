// Export (web-ui.md section 5): acceptance cases 33–36 and the envelope.
import { cleanup, fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { chatEnvelope, collectChatExport, exportFileName, mapLimited, runEnvelope } from './export.ts';
import { CHAT_ID, debugPanel, detail, renderDebugChat, runButtons, step, uuid } from './testing.tsx';

interface Download {
  fileName: string;
  type: string;
  text: string;
  json: Record<string, unknown>;
}

let downloads: Download[];
let failDownloads: Error | undefined;

beforeEach(() => {
  localStorage.clear();
  downloads = [];
  failDownloads = undefined;
  const blobs = new Map<string, Blob>();
  let n = 0;
  vi.stubGlobal('URL', Object.assign(URL, {
    createObjectURL: (blob: Blob) => {
      if (failDownloads) throw failDownloads;
      const url = `blob:test/${++n}`;
      blobs.set(url, blob);
      return url;
    },
    revokeObjectURL: () => undefined,
  }));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href)!;
    void blob.text().then((text) => downloads.push({ fileName: this.download, type: blob.type, text, json: JSON.parse(text) }));
  });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const older = (() => {
  const id = uuid('0ddba110');
  return detail({ id, summary: { first_message: 'Older run', step_count: 1 }, started_at: '2026-05-07T10:00:00.000Z' }, [step(id, 1)]);
})();
const newer = (() => {
  const id = uuid('feedbeef');
  return detail({ id, summary: { first_message: 'Newer run', step_count: 2 }, started_at: '2026-05-07T10:05:00.000Z', updated_at: '2026-05-07T10:05:03.000Z', finished_at: '2026-05-07T10:05:03.000Z' }, [step(id, 1), step(id, 2)]);
})();

const ENVELOPE_KEYS = ['version', 'scope', 'exported_at', 'chat_id', 'run_count', 'requested_run_count', 'limited_to_most_recent', 'runs'];

async function exportAll(panel: HTMLElement) {
  const button = await within(panel).findByRole('button', { name: 'Export debug logs' });
  fireEvent.click(button);
  return button as HTMLButtonElement;
}

/** The polite live region holding the toasts. */
const toasts = () => document.querySelector('.toast-region') as HTMLElement;

describe('chat export', () => {
  test('33. ExportAllRuns: file name, Blob type, envelope keys and values, runs newest first with their steps', async () => {
    renderDebugChat({ runs: [older, newer] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(2));
    const before = Date.now();
    await exportAll(panel);
    await waitFor(() => expect(downloads).toHaveLength(1));
    const [file] = downloads;
    expect(file.fileName).toMatch(/^coder-agents-debug-chat-[0-9a-f]{8}-.+\.json$/);
    expect(file.fileName).toBe(exportFileName('chat', CHAT_ID, String(file.json.exported_at)));
    expect(file.fileName.startsWith(`coder-agents-debug-chat-${CHAT_ID.slice(0, 8)}-`)).toBe(true);
    expect(file.type).toBe('application/json');
    expect(file.text).toBe(JSON.stringify(file.json, null, 2));
    expect(Object.keys(file.json)).toEqual(ENVELOPE_KEYS);
    expect(file.json).toEqual({
      version: 1,
      scope: 'chat',
      exported_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      chat_id: CHAT_ID,
      run_count: 2,
      requested_run_count: 2,
      limited_to_most_recent: 100,
      runs: [newer, older],
    });
    expect(Date.parse(String(file.json.exported_at))).toBeGreaterThanOrEqual(before - 1000);
    expect(toasts().textContent).toBe('');
  });

  test('34. ExportAllRunsUsesCachedTerminalRunDetails: a loaded terminal run is not fetched again; no failed_runs key', async () => {
    const running = detail({ id: uuid('1a1a1a1a'), status: 'in_progress', summary: { first_message: 'Running' }, started_at: '2026-05-07T10:09:00.000Z', finished_at: undefined }, [step(uuid('1a1a1a1a'), 1)]);
    const { mock } = renderDebugChat({ runs: [older, newer, running] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(3));
    // Expand the finished newer run and the running one: both details load.
    fireEvent.click(runButtons(panel)[1]);
    fireEvent.click(runButtons(panel)[0]);
    await waitFor(() => expect(within(panel).getAllByRole('button', { name: 'Export this run' })).toHaveLength(2));
    const fetched = () => mock.variablesOf('DebugRunDetail').map((v) => (v as { runId: string }).runId);
    expect(fetched().sort()).toEqual([String(newer.id), String(running.id)].sort());
    await exportAll(panel);
    await waitFor(() => expect(downloads).toHaveLength(1));
    // The terminal run is reused; the running one is fetched fresh; the unloaded one is fetched.
    expect(fetched().filter((id) => id === String(newer.id))).toHaveLength(1);
    expect(fetched().filter((id) => id === String(running.id))).toHaveLength(2);
    expect(fetched().filter((id) => id === String(older.id))).toHaveLength(1);
    expect('failed_runs' in downloads[0].json).toBe(false);
    expect(downloads[0].json.runs).toEqual([running, newer, older]);
  });

  test('35. ExportAllRunsPartialFailure: warning toast, failed_runs listed, the button enabled again', async () => {
    renderDebugChat({ runs: [older, newer], details: (runId) => (runId === String(older.id) ? { error: 'Run detail unavailable' } : newer) });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(2));
    const button = await exportAll(panel);
    await waitFor(() => expect(downloads).toHaveLength(1));
    const { json } = downloads[0];
    expect(Object.keys(json)).toEqual([...ENVELOPE_KEYS.slice(0, 7), 'failed_runs', 'runs']);
    expect(json.run_count).toBe(1);
    expect(json.requested_run_count).toBe(2);
    expect(json.failed_runs).toEqual([{ run_id: String(older.id), message: 'Run detail unavailable' }]);
    expect(json.runs).toEqual([newer]);
    const region = toasts();
    expect(region.getAttribute('role')).toBe('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(await within(region).findByText('Exported debug logs with missing runs.')).toBeTruthy();
    expect(within(region).getByText('1 run could not be fetched. The downloaded JSON lists them in failed_runs.')).toBeTruthy();
    await waitFor(() => expect(button.disabled).toBe(false));
  });

  test('35. ExportAllRunsTotalFetchFailure: error toast, no download', async () => {
    renderDebugChat({ runs: [older, newer], details: () => ({ error: 'nope' }) });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(2));
    const button = await exportAll(panel);
    expect(await within(toasts()).findByText('Failed to export debug logs.')).toBeTruthy();
    expect(within(toasts()).getByText('No debug run details could be fetched.')).toBeTruthy();
    expect(downloads).toEqual([]);
    await waitFor(() => expect(button.disabled).toBe(false));
  });

  test('the button shows a spinner and is disabled while the export is pending', async () => {
    renderDebugChat({ runs: [older], details: () => 'pending' });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    const button = await exportAll(panel);
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(button.querySelector('.spinner')).toBeTruthy();
    expect(downloads).toEqual([]);
  });

  test('ExportAllRunsDownloadError: "Failed to export debug logs." with the console hint', async () => {
    renderDebugChat({ runs: [older] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    failDownloads = new Error('quota exceeded');
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await exportAll(panel);
    expect(await within(toasts()).findByText('Failed to export debug logs.')).toBeTruthy();
    expect(within(toasts()).getByText('Please check the developer console for more details.')).toBeTruthy();
  });
});

describe('run export', () => {
  test('36. ExportSingleRun: run envelope from the loaded detail, without refetching', async () => {
    const { mock } = renderDebugChat({ runs: [newer] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    fireEvent.click(runButtons(panel)[0]);
    fireEvent.click(await within(panel).findByRole('button', { name: 'Export this run' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    const [file] = downloads;
    expect(file.fileName).toMatch(new RegExp(`^coder-agents-debug-run-${String(newer.id).slice(0, 8)}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z\\.json$`));
    expect(file.type).toBe('application/json');
    expect(Object.keys(file.json)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_id', 'run']);
    expect(file.json).toEqual({ version: 1, scope: 'run', exported_at: expect.any(String), chat_id: CHAT_ID, run_id: newer.id, run: newer });
    expect(file.fileName).toBe(exportFileName('run', String(newer.id), String(file.json.exported_at)));
    expect(mock.named('DebugRunDetail')).toHaveLength(1);
  });

  test('36. ExportSingleRunDownloadError: "Failed to export debug run." with the console hint', async () => {
    renderDebugChat({ runs: [newer] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    fireEvent.click(runButtons(panel)[0]);
    const button = await within(panel).findByRole('button', { name: 'Export this run' });
    failDownloads = new Error('blocked');
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    fireEvent.click(button);
    expect(await within(toasts()).findByText('Failed to export debug run.')).toBeTruthy();
    expect(within(toasts()).getByText('Please check the developer console for more details.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export this run' })).toBeTruthy();
  });
});

describe('envelope helpers', () => {
  test('file names replace ":" and "." of exported_at; keys in contract order; failed_runs only when non-empty', () => {
    expect(exportFileName('chat', 'abcdef12-3456', '2026-05-07T10:45:00.000Z')).toBe('coder-agents-debug-chat-abcdef12-2026-05-07T10-45-00-000Z.json');
    expect(exportFileName('run', 'deadbeef-0000', '2026-05-07T10:45:00.000Z')).toBe('coder-agents-debug-run-deadbeef-2026-05-07T10-45-00-000Z.json');
    expect(Object.keys(runEnvelope('c', { id: 'r' }, 't'))).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_id', 'run']);
    expect(Object.keys(chatEnvelope('c', 2, [{ id: 'r' }], [], 't'))).toEqual(ENVELOPE_KEYS);
    expect(chatEnvelope('c', 2, [], [{ run_id: 'x', message: 'm' }], 't')).toEqual({
      version: 1,
      scope: 'chat',
      exported_at: 't',
      chat_id: 'c',
      run_count: 0,
      requested_run_count: 2,
      limited_to_most_recent: 100,
      failed_runs: [{ run_id: 'x', message: 'm' }],
      runs: [],
    });
  });

  test('at most 5 detail requests at a time, results in list order; at most the 100 newest runs', async () => {
    let running = 0;
    let peak = 0;
    const ids = Array.from({ length: 130 }, (_, i) => `run-${i}`);
    const outcome = await collectChatExport(
      {
        chatId: 'c',
        runIds: ids,
        loadedDetail: () => undefined,
        fetchDetail: async (id) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          running--;
          return { id, status: 'completed' };
        },
      },
      undefined,
      () => new Date('2026-05-07T10:45:00.000Z'),
    );
    expect(peak).toBe(5);
    expect(outcome.kind).toBe('exported');
    if (outcome.kind !== 'exported') return;
    expect(outcome.envelope.requested_run_count).toBe(100);
    expect(outcome.envelope.runs.map((r) => r.id)).toEqual(ids.slice(0, 100));
    expect(outcome.envelope.exported_at).toBe('2026-05-07T10:45:00.000Z');
    const order: number[] = [];
    await mapLimited([30, 1, 10], 2, async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      order.push(ms);
      return ms;
    }).then((results) => expect(results.map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual([30, 1, 10]));
    expect(order).toEqual([1, 10, 30]);
  });

  test('an aborted export (leaving the page) downloads nothing', async () => {
    const controller = new AbortController();
    const pending = collectChatExport({ chatId: 'c', runIds: ['a'], loadedDetail: () => undefined, fetchDetail: (_id, signal) => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))) }, controller.signal);
    controller.abort();
    expect(await pending).toEqual({ kind: 'aborted' });
  });
});
