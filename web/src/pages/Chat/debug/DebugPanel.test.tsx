// The Debug tab (web-ui.md section 4): acceptance cases 23–32 and 37, live data (4.2), defensive
// parsing of malformed and truncated payloads (4.8), keyboard and automated accessibility checks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup, fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { lastActiveTabKey } from '../../../components/RightPanel.tsx';
import { axeViolations } from '../../../testing/a11y.ts';
import { MEMBER } from '../../../testing/render.tsx';
import { desktop } from '../../../testing/fixtures.ts';
import { CHAT_ID, b64, debugChat, debugPanel, detail, event, renderDebugChat, runButtons, step, uuid } from './testing.tsx';

beforeEach(() => localStorage.clear());
afterEach(() => cleanup());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expandRun(panel: HTMLElement, index = 0): Promise<HTMLElement> {
  const trigger = (await waitFor(() => {
    const buttons = runButtons(panel);
    expect(buttons.length).toBeGreaterThan(index);
    return buttons[index];
  })) as HTMLButtonElement;
  if (trigger.getAttribute('aria-expanded') !== 'true') fireEvent.click(trigger);
  return document.getElementById(trigger.getAttribute('aria-controls')!)!;
}

async function expandStep(scope: HTMLElement, stepNumber: number): Promise<HTMLElement> {
  const trigger = await within(scope).findByRole('button', { name: new RegExp(`^Step ${stepNumber}\\b`) });
  if (trigger.getAttribute('aria-expanded') !== 'true') fireEvent.click(trigger);
  return document.getElementById(trigger.getAttribute('aria-controls')!)!;
}

const section = (scope: HTMLElement, title: string) => within(scope).getByRole('heading', { name: title }).closest('section') as HTMLElement;

// ---------- Fixtures shaped like Coder's DebugPanel stories ----------

const singleStepRun = (() => {
  const id = uuid('aaaa0001');
  return detail({ id, summary: { step_count: 1, total_input_tokens: 10, total_output_tokens: 2 } }, [
    step(id, 1, {
      normalized_request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Fix the build' }] }], options: { temperature: 0.2 } },
      normalized_response: { content: [{ type: 'text', text: 'The build is fixed.' }], finish_reason: 'stop' },
    }),
  ]);
})();

const retriesRun = (() => {
  const id = uuid('bbbb0001');
  const attempt = (number: number, status: string, responseStatus: number, error?: string) => ({
    number,
    status,
    method: 'POST',
    path: '/v1/messages',
    url: 'https://api.anthropic.com/v1/messages',
    request_headers: { 'content-type': 'application/json', 'x-api-key': '[REDACTED]' },
    request_body: b64(JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 1024 })),
    response_status: responseStatus,
    response_headers: { 'content-type': 'application/json' },
    response_body: b64(JSON.stringify(responseStatus < 400 ? { id: 'msg_1' } : { type: 'error', error: { type: 'overloaded_error' } })),
    started_at: '2026-05-07T10:00:01.000Z',
    finished_at: '2026-05-07T10:00:02.500Z',
    duration_ms: 1500,
    retry_classification: 'retryable',
    retry_delay_ms: 250,
    ...(error ? { error } : {}),
  });
  return detail({ id, summary: { first_message: 'Retry until it works', step_count: 2 } }, [
    step(id, 1, { attempts: [attempt(3, 'completed', 200), attempt(1, 'failed', 529, 'overloaded'), attempt(2, 'failed', 500, 'server error')] }),
    step(id, 2),
  ]);
})();

// ---------- 23: panel states ----------

describe('23. Empty, Loading, ErrorState, RunDetailLoading, RunDetailError, RunWithNoSteps', () => {
  test('Empty: the empty state texts; no export button', async () => {
    renderDebugChat({ runs: [], loggingActive: true });
    const panel = await debugPanel();
    expect(await within(panel).findByText('No debug runs recorded yet')).toBeTruthy();
    expect(within(panel).getByText('Debug logging captures LLM request/response data for each chat turn, title generation, and compaction operation.')).toBeTruthy();
    expect(within(panel).getByText('Runs appear here live as soon as they are recorded.')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Export debug logs' })).toBeNull();
  });

  test('Loading: spinner and "Loading debug runs..."', async () => {
    localStorage.setItem(lastActiveTabKey(CHAT_ID), 'debug');
    renderDebugChat({ handlers: { ChatDebugRuns: 'pending' } });
    const panel = await debugPanel();
    expect(within(panel).getByText('Loading debug runs...')).toBeTruthy();
    expect(panel.querySelector('.spinner')).toBeTruthy();
  });

  test('ErrorState: a failing list shows the server message ("Network failure")', async () => {
    renderDebugChat({
      handlers: {
        ChatDebugRuns: { data: { chat: { id: CHAT_ID, debugLoggingActive: true, hasDebugRuns: true, debugRuns: null } }, errors: [{ message: 'Network failure' }] },
      },
    });
    const panel = await debugPanel();
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toContain('Network failure');
    cleanup();
    // Without a message of the server: the generic text.
    renderDebugChat({
      handlers: { ChatDebugRuns: { data: { chat: { id: CHAT_ID, debugLoggingActive: true, hasDebugRuns: true, debugRuns: null } }, errors: [{ message: 'Unexpected error.', code: 'INTERNAL_SERVER_ERROR' }] } },
    });
    const again = await debugPanel();
    expect((await within(again).findByRole('alert')).textContent).toContain('Unable to load debug panel data.');
    cleanup();
    // A network failure: the tab the viewer last had open shows the error.
    localStorage.setItem(lastActiveTabKey(CHAT_ID), 'debug');
    renderDebugChat({ handlers: { ChatDebugRuns: { networkError: 'offline' } } });
    const offline = await debugPanel();
    expect((await within(offline).findByRole('alert')).textContent).toContain('Unable to load debug panel data.');
  });

  test('RunDetailLoading: "Loading run details..." while the detail loads', async () => {
    renderDebugChat({ runs: [singleStepRun], details: () => 'pending' });
    const body = await expandRun(await debugPanel());
    expect(within(body).getByText('Loading run details...')).toBeTruthy();
    expect(within(body).queryByRole('button', { name: 'Export this run' })).toBeNull();
  });

  test('RunDetailError: the server message, or "Unable to load debug run details."', async () => {
    renderDebugChat({ runs: [singleStepRun], details: () => ({ error: 'Detail exploded' }) });
    let body = await expandRun(await debugPanel());
    expect((await within(body).findByRole('alert')).textContent).toContain('Detail exploded');
    cleanup();
    renderDebugChat({ runs: [singleStepRun], handlers: { DebugRunDetail: { networkError: 'offline' } } });
    body = await expandRun(await debugPanel());
    expect((await within(body).findByRole('alert')).textContent).toContain('[Network] offline');
  });

  test('RunWithNoSteps: "No steps recorded." and "Export this run"', async () => {
    const run = detail({ id: uuid('cccc0001'), status: 'completed' }, []);
    renderDebugChat({ runs: [run] });
    const body = await expandRun(await debugPanel());
    expect(await within(body).findByText('No steps recorded.')).toBeTruthy();
    expect(within(body).getByRole('button', { name: 'Export this run' })).toBeTruthy();
  });
});

// ---------- 24–32: rows, steps, attempts, bodies ----------

describe('runs and steps', () => {
  test('24. SingleStepSuccessfulRun: "Chat Turn" row → Step 1 → Input and Output; "Request body" toggle; copy button reachable', async () => {
    renderDebugChat({ runs: [singleStepRun] });
    const panel = await debugPanel();
    const [row] = await waitFor(() => {
      const buttons = runButtons(panel);
      expect(buttons).toHaveLength(1);
      return buttons;
    });
    expect(row.querySelector('.dbg-run-label')!.textContent).toBe('Chat Turn');
    expect(row.getAttribute('aria-expanded')).toBe('false');
    const body = await expandRun(panel);
    expect(row.getAttribute('aria-expanded')).toBe('true');
    const stepBody = await expandStep(body, 1);
    expect(within(section(stepBody, 'Input')).getByText('Fix the build')).toBeTruthy();
    expect(within(section(stepBody, 'Output')).getByText('The build is fixed.')).toBeTruthy();
    expect(within(section(stepBody, 'Output')).getByText('Finish: stop')).toBeTruthy();
    const toggle = within(stepBody).getByRole('button', { name: 'Request body' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(within(stepBody).queryByRole('button', { name: 'Copy request body JSON' })).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const region = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(JSON.parse(region.querySelector('code')!.textContent!)).toEqual(singleStepRun.steps && (singleStepRun.steps as { normalized_request: unknown }[])[0].normalized_request);
    const copy = within(region).getByRole('button', { name: 'Copy request body JSON' });
    expect(copy.getAttribute('title')).toBe('Copy request body JSON');
    // Hidden until hover or keyboard focus: a Tab stop that the stylesheet reveals on :focus-visible.
    const user = userEvent.setup();
    toggle.focus();
    await user.tab();
    expect(document.activeElement).toBe(copy);
    const css = readFileSync(path.resolve('web/src/styles/app.css'), 'utf8');
    expect(css).toMatch(/\.dbg-code:hover \.dbg-copy,\s*\.dbg-copy:focus-visible,[^{]*\{\s*opacity: 1;/);
    expect(css).toMatch(/\.dbg-copy \{[^}]*opacity: 0;/);
  });

  test('25. MultiStepRunWithRetries: Steps 1 and 2; Attempts 1–3 in order; raw request, response and error copy labels', async () => {
    renderDebugChat({ runs: [retriesRun] });
    const body = await expandRun(await debugPanel());
    await within(body).findByRole('button', { name: /^Step 1/ });
    expect(within(body).getAllByRole('button', { name: /^Step \d/ }).map((b) => b.querySelector('.dbg-step-title')!.textContent)).toEqual(['Step 1', 'Step 2']);
    const stepBody = await expandStep(body, 1);
    expect(within(stepBody).getByText('3 attempts')).toBeTruthy();
    const attempts = within(section(stepBody, 'Raw attempts')).getAllByRole('button', { name: /^Attempt \d/ });
    expect(attempts.map((a) => a.querySelector('.dbg-attempt-title')!.textContent)).toEqual(['Attempt 1', 'Attempt 2', 'Attempt 3']);
    expect(attempts.map((a) => a.querySelector('.dbg-http')!.textContent)).toEqual(['529', '500', '200']);
    expect(attempts[2].querySelector('.dbg-http')!.className).toContain('badge-success');
    expect(attempts[0].querySelector('.dbg-http')!.className).toContain('badge-danger');
    expect(attempts[0].textContent).toContain('POST /v1/messages');
    expect(attempts[0].textContent).toContain('• 1 second and 500 milliseconds');
    expect(attempts[0].textContent).not.toContain('retryable');
    for (const a of attempts) expect(a.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(attempts[0]);
    const attemptBody = document.getElementById(attempts[0].getAttribute('aria-controls')!)!;
    expect(within(attemptBody).getByRole('button', { name: 'Copy raw request JSON' })).toBeTruthy();
    expect(within(attemptBody).getByRole('button', { name: 'Copy raw response JSON' })).toBeTruthy();
    expect(within(attemptBody).getByRole('button', { name: 'Copy raw attempt error' })).toBeTruthy();
    const blocks = Array.from(attemptBody.querySelectorAll('code')).map((c) => c.textContent!);
    expect(JSON.parse(blocks[0])).toEqual({
      method: 'POST',
      url: 'https://api.anthropic.com/v1/messages',
      path: '/v1/messages',
      headers: { 'content-type': 'application/json', 'x-api-key': '[REDACTED]' },
      body: { model: 'claude-sonnet-4', max_tokens: 1024 },
    });
    expect(JSON.parse(blocks[1])).toEqual({ status: 529, headers: { 'content-type': 'application/json' }, body: { type: 'error', error: { type: 'overloaded_error' } } });
    expect(blocks[2]).toBe('overloaded');
    // Attempt 3 has no error.
    fireEvent.click(attempts[2]);
    expect(within(document.getElementById(attempts[2].getAttribute('aria-controls')!)!).getByText('No error captured.')).toBeTruthy();
  });

  test('26. ErrorStateWithRedactedHeaders: the step error shows the message only; [REDACTED] visible in the decoded request', async () => {
    const id = uuid('dddd0001');
    const run = detail({ id, status: 'error', summary: { has_error: true } }, [
      step(id, 1, {
        status: 'error',
        error: { message: 'Provider request failed', type: 'provider_error', provider_status: 401, is_retryable: false },
        attempts: [
          {
            number: 1,
            status: 'failed',
            method: 'POST',
            path: '/v1/messages',
            request_headers: { Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' },
            request_body: b64(JSON.stringify({ api_key: '[REDACTED]', model: 'claude' })),
            response_status: 401,
            duration_ms: 20,
          },
        ],
      }),
    ]);
    renderDebugChat({ runs: [run] });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    expect(runButtons(panel)[0].querySelector('.dbg-status')!.className).toContain('badge-danger');
    const stepBody = await expandStep(body, 1);
    const error = section(stepBody, 'Error');
    expect(error.querySelector('code')!.textContent).toBe('Provider request failed');
    expect(within(error).getByRole('button', { name: 'Copy error text' })).toBeTruthy();
    const attempt = within(stepBody).getByRole('button', { name: /^Attempt 1/ });
    fireEvent.click(attempt);
    const request = JSON.parse(document.getElementById(attempt.getAttribute('aria-controls')!)!.querySelector('code')!.textContent!);
    expect(request.headers).toEqual({ Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' });
    expect(request.body).toEqual({ api_key: '[REDACTED]', model: 'claude' });
  });

  test('27. CompactionAndTitleGenerationBadges: kind labels with in_progress, completed and error badges', async () => {
    const runs = [
      detail({ id: uuid('eeee0001'), kind: 'compaction', status: 'in_progress', started_at: '2026-05-07T10:03:00.000Z', updated_at: '2026-05-07T10:03:00.000Z', finished_at: undefined }),
      detail({ id: uuid('eeee0002'), kind: 'chat_turn', status: 'completed', started_at: '2026-05-07T10:02:00.000Z' }),
      detail({ id: uuid('eeee0003'), kind: 'title_generation', status: 'error', started_at: '2026-05-07T10:01:00.000Z' }),
    ];
    renderDebugChat({ runs });
    const panel = await debugPanel();
    const rows = await waitFor(() => {
      const buttons = runButtons(panel);
      expect(buttons).toHaveLength(3);
      return buttons;
    });
    expect(rows.map((r) => r.querySelector('.dbg-run-label')!.textContent)).toEqual(['Compaction', 'Chat Turn', 'Title Generation']);
    const badges = rows.map((r) => r.querySelector('.dbg-status')!);
    expect(badges.map((b) => b.textContent)).toEqual(['in_progress', 'completed', 'error']);
    expect(badges.map((b) => b.className.match(/badge-(\w+)/)![1])).toEqual(['info', 'success', 'danger']);
    expect(rows[0].querySelector('.spinner')).toBeTruthy();
    expect(rows[1].querySelector('.spinner')).toBeNull();
  });

  test('28. LongRawPayloads: a 24-key request body is visible after expanding and scrolls in its block', async () => {
    const id = uuid('ffff0001');
    const big = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`key_${String(i).padStart(2, '0')}`, 'x'.repeat(200)]));
    renderDebugChat({ runs: [detail({ id }, [step(id, 1, { normalized_request: big })])] });
    const stepBody = await expandStep(await expandRun(await debugPanel()), 1);
    fireEvent.click(within(stepBody).getByRole('button', { name: 'Request body' }));
    const code = within(stepBody).getByRole('button', { name: 'Copy request body JSON' }).parentElement!.querySelector('pre > code')!;
    expect(Object.keys(JSON.parse(code.textContent!))).toHaveLength(24);
    // The block scrolls in both directions, at most 28rem high (tool payloads 14rem).
    const css = readFileSync(path.resolve('web/src/styles/app.css'), 'utf8');
    expect(css).toMatch(/\.dbg-code pre \{[^}]*max-height: 28rem;[^}]*overflow: auto;/);
    expect(css).toMatch(/\.dbg-code-small pre \{\s*max-height: 14rem;/);
    expect(css).toMatch(/\.dbg-code pre code \{[^}]*white-space: pre;/);
  });

  test('29. RichPayloadWithTranscript: first-message label; role badges; step header model and tokens without the operation; pills', async () => {
    const id = uuid('a1a10001');
    const run = detail({ id, kind: 'chat_turn', summary: { first_message: 'Please refactor the billing service so that invoices are generated asynchronously overnight', step_count: 1 } }, [
      step(id, 1, {
        operation: 'stream',
        normalized_request: {
          model: 'gpt-4',
          messages: [
            { role: 'system', content: 'You are a helpful assistant.' },
            { role: 'user', content: [{ type: 'text', text: 'Refactor billing.' }] },
          ],
          tools: [{ type: 'function', function: { name: 'read_file', description: 'Reads a file.', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
          options: { temperature: 0.3, maxOutputTokens: 2048 },
        },
        usage: { input_tokens: '150', output_tokens: '42', total_tokens: '192' },
      }),
    ]);
    renderDebugChat({ runs: [run] });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    const label = runButtons(panel)[0].querySelector('.dbg-run-label')!.textContent!;
    expect(Array.from(label)).toHaveLength(80);
    expect(label.endsWith('…')).toBe(true);
    const stepTrigger = await within(body).findByRole('button', { name: /^Step 1/ });
    expect(stepTrigger.querySelector('.dbg-step-meta')!.textContent).toContain('gpt-4');
    expect(stepTrigger.querySelector('.dbg-step-meta')!.textContent).toContain('150→42 tok');
    expect(stepTrigger.textContent).not.toContain('stream');
    const stepBody = await expandStep(body, 1);
    const roles = Array.from(section(stepBody, 'Input').querySelectorAll('.dbg-role'));
    expect(roles.map((r) => [r.textContent, r.className.match(/badge-(\w+)/)![1]])).toEqual([
      ['system', 'purple'],
      ['user', 'info'],
    ]);
    expect(within(stepBody).getByText('Max tokens:').parentElement!.textContent).toBe('Max tokens: 2,048');
    const pills = within(stepBody).getAllByRole('button', { pressed: false }).filter((b) => b.classList.contains('dbg-pill'));
    expect(pills.map((p) => p.textContent)).toEqual(['Tools (1)', 'Options (2)', 'Usage (3)']);
    fireEvent.click(pills[2]);
    expect(pills[2].getAttribute('aria-pressed')).toBe('true');
    const usage = Array.from(stepBody.querySelectorAll('.dbg-dl dt')).map((dt) => `${dt.textContent}=${dt.nextElementSibling!.textContent}`);
    expect(usage).toEqual(['input_tokens=150', 'output_tokens=42', 'total_tokens=192']);
    // At most one pill open at a time.
    fireEvent.click(pills[0]);
    expect(pills[2].getAttribute('aria-pressed')).toBe('false');
    expect(within(stepBody).getByText('read_file')).toBeTruthy();
    expect(within(stepBody).getByRole('button', { name: 'Copy read_file JSON schema' })).toBeTruthy();
  });

  test('30. ToolCallStep: a run_code tool card and "Finish: tool_calls"', async () => {
    const id = uuid('a2a20001');
    renderDebugChat({
      runs: [
        detail({ id }, [
          step(id, 1, {
            normalized_response: {
              content: [
                { type: 'tool_input', tool_call_id: 'call_1', tool_name: 'run_code', arguments: '{"command":' },
                { type: 'tool_input', tool_call_id: 'call_1', arguments: '"npm test"}' },
                { type: 'tool-call', tool_call_id: 'call_1', tool_name: 'run_code', arguments: '' },
              ],
              finish_reason: 'tool_calls',
            },
          }),
        ]),
      ],
    });
    const stepBody = await expandStep(await expandRun(await debugPanel()), 1);
    const output = section(stepBody, 'Output');
    expect(output.querySelectorAll('.dbg-tool-card')).toHaveLength(1);
    expect(within(output).getByText('run_code')).toBeTruthy();
    expect(within(output).getByText('Arguments')).toBeTruthy();
    expect(JSON.parse(output.querySelector('.dbg-tool-card .dbg-code code')!.textContent!)).toEqual({ command: 'npm test' });
    expect(within(output).getByText('Finish: tool_calls')).toBeTruthy();
  });

  test('31. FallbackLabeledRun, InProgressRun: "Chat Turn" + model, or in_progress + spinner + model; never the provider', async () => {
    const fallback = detail({ id: uuid('a3a30001'), provider: 'anthropic', model: 'claude-sonnet-4', started_at: '2026-05-07T10:00:00.000Z' });
    const running = detail({ id: uuid('a3a30002'), status: 'in_progress', provider: 'openai', model: 'gpt-4o', summary: { first_message: 'Still going' }, started_at: new Date(Date.now() - 5000).toISOString(), updated_at: new Date().toISOString(), finished_at: undefined });
    renderDebugChat({ runs: [fallback, running] });
    const panel = await debugPanel();
    const rows = await waitFor(() => {
      const buttons = runButtons(panel);
      expect(buttons).toHaveLength(2);
      return buttons;
    });
    expect(rows[0].querySelector('.dbg-run-label')!.textContent).toBe('Still going');
    expect(rows[0].querySelector('.dbg-run-meta')!.textContent).toContain('gpt-4o');
    expect(rows[0].querySelector('.spinner')).toBeTruthy();
    expect(rows[0].querySelector('.dbg-status')!.textContent).toBe('in_progress');
    expect(rows[1].querySelector('.dbg-run-label')!.textContent).toBe('Chat Turn');
    expect(Array.from(rows[1].querySelectorAll('.dbg-run-meta > span')).map((s) => s.textContent)).toEqual(['claude-sonnet-4', '4.2s']);
    for (const row of rows) {
      expect(row.textContent).not.toMatch(/anthropic|openai/i);
    }
  });

  test('32. BackendNormalizedShape: all 4 messages, tool cards, finish, endpoint only in the attempt, tokens, HTTP 200, base64 bodies decoded', async () => {
    const id = uuid('a4a40001');
    const run = detail(
      { id, summary: { endpoint_label: 'POST /v1/messages', step_count: 1, total_input_tokens: 42, total_output_tokens: 1 } },
      [
        step(id, 1, {
          normalized_request: {
            messages: [
              { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
              { role: 'user', parts: [{ type: 'text', text: 'List files' }, { type: 'file', filename: 'notes.md', media_type: 'text/markdown' }] },
              { role: 'assistant', parts: [{ type: 'tool-call', tool_call_id: 'toolu_1', tool_name: 'list_files', arguments: '{"path":"."}' }] },
              { role: 'tool', parts: [{ type: 'tool-result', tool_call_id: 'toolu_1', tool_name: 'list_files', result: '["a.ts","b.ts"]' }] },
            ],
            tools: [{ type: 'function', name: 'list_files', description: 'Lists files.', has_input_schema: true, input_schema: { type: 'object' } }],
            options: { max_output_tokens: 1024 },
            tool_choice: 'auto',
            provider_option_count: 0,
          },
          normalized_response: {
            content: [{ type: 'tool-call', tool_call_id: 'toolu_2', tool_name: 'read_file', arguments: '{"path":"a.ts"}' }],
            finish_reason: 'tool_calls',
            usage: { input_tokens: 42, output_tokens: 1, total_tokens: 43 },
          },
          usage: { input_tokens: 42, output_tokens: 1, total_tokens: 43, reasoning_tokens: 0, cache_creation_tokens: 0, cache_read_tokens: 0 },
          attempts: [
            {
              number: 1,
              status: 'completed',
              method: 'POST',
              path: '/v1/messages',
              url: 'https://api.anthropic.com/v1/messages',
              request_body: b64('{"model":"claude-sonnet-4","stream":true}'),
              response_status: 200,
              response_headers: { 'content-type': 'text/event-stream' },
              response_body: b64('event: message_start\ndata: {}\n'),
              duration_ms: 850,
              started_at: '2026-05-07T10:00:01.000Z',
              finished_at: '2026-05-07T10:00:01.850Z',
            },
          ],
          metadata: { stream_summary: { finish_reason: 'tool-calls', part_count: 4 } },
        }),
      ],
    );
    renderDebugChat({ runs: [run] });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    const row = runButtons(panel)[0];
    expect(row.textContent).toContain('42→1 tok');
    expect(row.textContent).not.toContain('POST /v1/messages');
    const stepBody = await expandStep(body, 1);
    const input = section(stepBody, 'Input');
    fireEvent.click(within(input).getByRole('button', { name: 'Show all 4 messages' }));
    expect(within(input).getAllByRole('listitem')).toHaveLength(4);
    expect(within(input).getByText(/\[file: notes\.md\]/)).toBeTruthy();
    expect(within(input).getByRole('button', { name: 'Show last 2 only' })).toBeTruthy();
    const cards = Array.from(input.querySelectorAll('.dbg-tool-card'));
    expect(cards.map((c) => c.querySelector('.dbg-block-label')!.textContent)).toEqual(['ARGUMENTS', 'RESULT']);
    expect(JSON.parse(cards[1].querySelector('.dbg-code code')!.textContent!)).toEqual(['a.ts', 'b.ts']);
    expect(input.textContent).not.toMatch(/\[tool/);
    const output = section(stepBody, 'Output');
    expect(within(output).getByText('read_file')).toBeTruthy();
    expect(within(output).getByText('Finish: tool_calls')).toBeTruthy();
    const attempt = within(stepBody).getByRole('button', { name: /^Attempt 1/ });
    expect(attempt.textContent).toContain('POST /v1/messages');
    expect(attempt.querySelector('.dbg-http')!.textContent).toBe('200');
    expect(stepBody.textContent!.match(/POST \/v1\/messages/g)).toHaveLength(1);
    fireEvent.click(attempt);
    const blocks = Array.from(document.getElementById(attempt.getAttribute('aria-controls')!)!.querySelectorAll('code')).map((c) => JSON.parse(c.textContent!));
    expect(blocks[0].body).toEqual({ model: 'claude-sonnet-4', stream: true });
    expect(blocks[1].body).toBe('event: message_start\ndata: {}\n');
  });
});

// ---------- 4.8: defensive parsing ----------

describe('defensive parsing: malformed and truncated payloads', () => {
  test('the server fallbacks of rest-api.md 11.4 render as JSON in their sections; nothing throws', async () => {
    const id = uuid('b1b10001');
    const malformedRequest = { error: 'malformed debug payload', parse_error: 'expected a JSON object, got string', raw: '"oops"' };
    const malformedAttempts = [{ error: 'malformed attempts payload', parse_error: 'expected a JSON array of objects, got number', raw: '[1,2]' }];
    const malformedUsage = { error: 'malformed debug payload', parse_error: 'expected a JSON object, got array', raw: '[1]' };
    renderDebugChat({
      runs: [
        detail({ id, summary: { error: 'malformed debug payload', parse_error: 'expected a JSON object, got number', raw: '7' }, kind: 'quickgen' }, [
          step(id, 1, { normalized_request: malformedRequest, attempts: malformedAttempts, usage: malformedUsage, normalized_response: undefined, error: { error: 'stream error part with nil error' } }),
        ]),
      ],
    });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    expect(runButtons(panel)[0].querySelector('.dbg-run-label')!.textContent).toBe('Quick Gen');
    const stepBody = await expandStep(body, 1);
    expect(within(section(stepBody, 'Input')).getByText('No input messages captured.')).toBeTruthy();
    expect(within(section(stepBody, 'Output')).getByText('No output captured.')).toBeTruthy();
    expect(within(stepBody).queryByRole('button', { name: 'Response body' })).toBeNull();
    const error = section(stepBody, 'Error');
    expect(JSON.parse(error.querySelector('code')!.textContent!)).toEqual({ error: 'stream error part with nil error' });
    expect(within(error).getByRole('button', { name: 'Copy error JSON' })).toBeTruthy();
    fireEvent.click(within(stepBody).getByRole('button', { name: 'Request body' }));
    const request = within(stepBody).getByRole('button', { name: 'Copy request body JSON' }).parentElement!.querySelector('code')!;
    expect(JSON.parse(request.textContent!)).toEqual(malformedRequest);
    const attempts = section(stepBody, 'Raw attempts');
    expect(within(attempts).getByText('Unable to parse raw attempts. Showing the original payload exactly as it was captured.')).toBeTruthy();
    expect(JSON.parse(attempts.querySelector('code')!.textContent!)).toEqual(malformedAttempts);
    expect(within(attempts).getByRole('button', { name: 'Copy raw attempts' })).toBeTruthy();
    fireEvent.click(within(stepBody).getByRole('button', { name: 'Usage (3)' }));
    expect(within(stepBody).getByText('malformed debug payload')).toBeTruthy();
  });

  test('[TRUNCATED] and [REDACTED] show as stored; numeric strings, JSON strings and odd shapes are tolerated', async () => {
    const id = uuid('b2b20001');
    renderDebugChat({
      runs: [
        detail({ id, summary: { step_count: '1', total_input_tokens: '1234', total_output_tokens: '56' } }, [
          step(id, 1, {
            normalized_request: JSON.stringify({ messages: [{ role: 'user', text: 'from a JSON string' }, null, 7, { role: 'assistant' }] }),
            normalized_response: { choices: [{ message: { content: 'OpenAI text' }, finish_reason: 'stop' }], warnings: [{ type: 'unsupported-setting', setting: 'seed' }] },
            attempts: JSON.stringify({
              b: { attempt_number: 2, status: 'completed', request_body: 'W1RSVU5DQVRFRF0=', response_body: 'not base64 at all!', response_status: '200' },
              a: { attempt_number: 1, status: 'failed', request_headers: { authorization: '[REDACTED]' } },
            }),
            usage: { prompt_tokens: '7', completion_tokens: 3 },
            started_at: 'not a time',
          }),
        ]),
      ],
    });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    expect(runButtons(panel)[0].textContent).toContain('1,234→56 tok');
    expect(runButtons(panel)[0].textContent).toContain('1 step');
    const stepTrigger = await within(body).findByRole('button', { name: /^Step 1/ });
    expect(stepTrigger.textContent).toContain('7→3 tok');
    expect(stepTrigger.querySelector('.dbg-step-meta')!.textContent).toContain('-');
    const stepBody = await expandStep(body, 1);
    expect(within(section(stepBody, 'Input')).getByText('from a JSON string')).toBeTruthy();
    const output = section(stepBody, 'Output');
    expect(within(output).getByText('OpenAI text')).toBeTruthy();
    expect(within(output).getByText('Finish: stop')).toBeTruthy();
    expect(output.querySelector('.dbg-warnings li')!.textContent).toBe('⚠ Warning: unsupported-setting: seed');
    expect(output.querySelector('.dbg-warnings [aria-hidden="true"]')!.textContent).toBe('⚠ ');
    const attempts = within(section(stepBody, 'Raw attempts')).getAllByRole('button', { name: /^Attempt/ });
    expect(attempts.map((a) => a.querySelector('.dbg-attempt-title')!.textContent)).toEqual(['Attempt 1', 'Attempt 2']);
    expect(attempts[0].textContent).toContain('- → - • Duration unavailable');
    fireEvent.click(attempts[0]);
    expect(JSON.parse(document.getElementById(attempts[0].getAttribute('aria-controls')!)!.querySelector('code')!.textContent!)).toEqual({ headers: { authorization: '[REDACTED]' } });
    fireEvent.click(attempts[1]);
    const [request, response] = Array.from(document.getElementById(attempts[1].getAttribute('aria-controls')!)!.querySelectorAll('code')).map((c) => JSON.parse(c.textContent!));
    expect(request).toEqual({ body: '[TRUNCATED]' });
    expect(response).toEqual({ status: 200, body: 'not base64 at all!' });
    expect(attempts[1].querySelector('.dbg-http')!.textContent).toBe('200');
  });
});

// ---------- 4.1 and 37: the tab ----------

describe('the Debug tab in the tablist', () => {
  test('37. CloseableTabs, getEffectiveTabId: Debug before Desktop, no close button; "debug" stays selected; an unknown stored id falls back', async () => {
    localStorage.setItem(lastActiveTabKey(CHAT_ID), 'debug');
    renderDebugChat({ chat: { ...debugChat, desktopAvailability: desktop(true, 'anthropic', { available: true }).availability }, runs: [singleStepRun] });
    await waitFor(() => expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['Debug', 'Desktop']));
    const debugTab = screen.getByRole('tab', { name: 'Debug' });
    expect(debugTab.getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByRole('button', { name: /close/i })).toBeNull();
    expect(debugTab.querySelector('button')).toBeNull();
    fireEvent.click(screen.getByRole('tab', { name: 'Desktop' }));
    expect(localStorage.getItem(lastActiveTabKey(CHAT_ID))).toBe('desktop');
    const panel = document.getElementById(debugTab.getAttribute('aria-controls')!)!;
    expect(panel.hidden).toBe(true);
    expect(panel.hasAttribute('inert')).toBe(true);
    cleanup();
    localStorage.setItem(lastActiveTabKey(CHAT_ID), 'terminal');
    renderDebugChat({ chat: { ...debugChat, desktopAvailability: desktop(true).availability }, runs: [singleStepRun] });
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(2));
    expect(screen.getByRole('tab', { name: 'Debug' }).getAttribute('aria-selected')).toBe('true');
  });

  test('owner with logging on: the tab with the empty state; logging off and no runs: no tab, no panel', async () => {
    const { mock } = renderDebugChat({ loggingActive: false, runs: [], hasRuns: false });
    await waitFor(() => expect(mock.named('ChatDebugRuns')).toHaveLength(1));
    await sleep(20);
    expect(screen.queryByRole('tab', { name: 'Debug' })).toBeNull();
    expect(screen.queryByRole('tablist')).toBeNull();
  });

  test('a stranger (chat null) sees no Debug tab and no debug data is requested', async () => {
    const { mock } = renderDebugChat({ chat: null, user: MEMBER });
    expect(await screen.findByRole('heading', { name: 'Chat not found' })).toBeTruthy();
    await sleep(20);
    expect(mock.named('ChatDebugRuns')).toHaveLength(0);
    expect(mock.named('ChatDebugEvents')).toHaveLength(0);
    expect(screen.queryByRole('tab', { name: 'Debug' })).toBeNull();
  });
});

// ---------- 4.2: live data ----------

describe('live data', () => {
  test('the tab appears with the first run, which shows at the top without a reload; only the subscription is used', async () => {
    const { mock, push } = renderDebugChat({ loggingActive: false, runs: [], hasRuns: false });
    await waitFor(() => expect(mock.named('ChatDebugEvents')).toHaveLength(1));
    expect(mock.variablesOf('ChatDebugEvents')).toEqual([{ chatId: CHAT_ID, after: null }]);
    expect(screen.queryByRole('tab', { name: 'Debug' })).toBeNull();
    const first = detail({ id: uuid('c1c10001'), status: 'in_progress', summary: { first_message: 'First run' }, started_at: '2026-05-07T10:00:00.000Z', finished_at: undefined });
    push(event('RUN_STARTED', 1, first));
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel).map((b) => b.querySelector('.dbg-run-label')!.textContent)).toEqual(['First run']));
    const second = detail({ id: uuid('c1c10002'), status: 'in_progress', summary: { first_message: 'Second run' }, started_at: '2026-05-07T10:01:00.000Z', finished_at: undefined });
    push(event('RUN_STARTED', 2, second));
    await waitFor(() => expect(runButtons(panel).map((b) => b.querySelector('.dbg-run-label')!.textContent)).toEqual(['Second run', 'First run']));
    const before = mock.operations.length;
    await sleep(1100);
    expect(mock.operations.length).toBe(before);
    expect(mock.named('ChatDebugRuns')).toHaveLength(1);
  });

  test('a run in progress updates in place; an expanded run reloads its detail on events only; durations tick', async () => {
    const runId = uuid('c2c20001');
    const startedAt = new Date(Date.now() - 3000).toISOString();
    let current = detail({ id: runId, status: 'in_progress', summary: { first_message: 'Working' }, started_at: startedAt, updated_at: startedAt, finished_at: undefined }, []);
    const { mock, push } = renderDebugChat({ runs: [current], details: () => current });
    const panel = await debugPanel();
    const body = await expandRun(panel);
    expect(await within(body).findByText('No steps recorded.')).toBeTruthy();
    const row = runButtons(panel)[0];
    const duration = () => row.querySelector('.dbg-run-meta')!.textContent!;
    const first = duration();
    await waitFor(() => expect(duration()).not.toBe(first), { timeout: 2500 });
    expect(mock.named('DebugRunDetail')).toHaveLength(1);
    const stepId = uuid('c2c2s001');
    current = detail({ ...current, id: runId, updated_at: new Date().toISOString() }, [step(runId, 1, { id: stepId, status: 'in_progress', finished_at: undefined, usage: undefined, normalized_response: undefined })]);
    push(event('STEP_STARTED', 10, current, { id: stepId, runId, stepNumber: 1 }));
    expect(await within(body).findByRole('button', { name: /^Step 1/ })).toBeTruthy();
    expect(mock.named('DebugRunDetail')).toHaveLength(2);
    expect(row.textContent).toContain('1 step');
    const finishedAt = new Date().toISOString();
    current = detail(
      { ...current, id: runId, status: 'completed', updated_at: finishedAt, finished_at: finishedAt, summary: { first_message: 'Working', step_count: 1, total_input_tokens: 10, total_output_tokens: 2 } },
      [step(runId, 1, { id: stepId })],
    );
    push(event('RUN_FINISHED', 11, current));
    await waitFor(() => expect(row.querySelector('.dbg-status')!.textContent).toBe('completed'));
    expect(runButtons(panel)[0]).toBe(row);
    expect(row.textContent).toContain('10→2 tok');
    expect(row.querySelector('.spinner')).toBeNull();
    await waitFor(() => expect(within(body).getByRole('button', { name: /^Step 1/ }).querySelector('.dbg-status')!.textContent).toBe('completed'));
    // An old cursor (a replay overlap) is applied once only.
    push(event('RUN_UPDATED', 11, { ...current, status: 'in_progress' }));
    await sleep(20);
    expect(row.querySelector('.dbg-status')!.textContent).toBe('completed');
  });

  test('at most 100 runs, newest first; a 101st pushes the oldest out', async () => {
    const runs = Array.from({ length: 100 }, (_, i) =>
      detail({ id: uuid(`d${String(i).padStart(3, '0')}0000`), summary: { first_message: `Run ${i}` }, started_at: new Date(Date.UTC(2026, 4, 7, 9, 0, i)).toISOString(), updated_at: new Date(Date.UTC(2026, 4, 7, 9, 0, i)).toISOString() }),
    );
    const { push } = renderDebugChat({ runs: [...runs].reverse() });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(100));
    expect(runButtons(panel)[0].textContent).toContain('Run 99');
    expect(runButtons(panel)[99].textContent).toContain('Run 0');
    push(event('RUN_STARTED', 5, detail({ id: uuid('d9990000'), summary: { first_message: 'Run 100' }, started_at: '2026-05-07T10:00:00.000Z', status: 'in_progress', finished_at: undefined })));
    await waitFor(() => expect(runButtons(panel)[0].textContent).toContain('Run 100'));
    expect(runButtons(panel)).toHaveLength(100);
    expect(runButtons(panel)[99].textContent).toContain('Run 1');
  });

  test('deletion events remove runs; a deleted chat shows "This chat was deleted."', async () => {
    const a = detail({ id: uuid('e1e10001'), summary: { first_message: 'Keep me' }, started_at: '2026-05-07T10:01:00.000Z' });
    const b = detail({ id: uuid('e1e10002'), summary: { first_message: 'Delete me' }, started_at: '2026-05-07T10:00:00.000Z' });
    const { push } = renderDebugChat({ runs: [a, b] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(2));
    push({ ...event('DEBUG_DATA_DELETED', 3), deletedRunIds: [String(b.id)] });
    await waitFor(() => expect(runButtons(panel).map((r) => r.querySelector('.dbg-run-label')!.textContent)).toEqual(['Keep me']));
    push({ ...event('DEBUG_DATA_DELETED', 4), chatDeleted: true });
    expect(await within(panel).findByText('This chat was deleted.')).toBeTruthy();
  });

  test('connection lost: the paused line with cached data; on reconnection it resumes from the last cursor and the line clears', async () => {
    const a = detail({ id: uuid('f1f10001'), summary: { first_message: 'Cached run' } });
    const { mock, push, live } = renderDebugChat({ runs: [a] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    push(event('RUN_UPDATED', 41, a));
    await sleep(20);
    live.emit('lost');
    const line = await within(panel).findByText('Live updates paused. Reconnecting…');
    expect(line.getAttribute('role')).toBe('status');
    expect(runButtons(panel)).toHaveLength(1);
    // graphql-ws re-sends the subscription after reconnecting, asking for what followed the last event.
    const context = mock.named('ChatDebugEvents')[0].context as { resumeVariables?: () => Record<string, unknown> };
    expect(context.resumeVariables?.()).toEqual({ after: '41' });
    live.emit('restored');
    await waitFor(() => expect(within(panel).queryByText('Live updates paused. Reconnecting…')).toBeNull());
    const b = detail({ id: uuid('f1f10002'), summary: { first_message: 'Written while away' }, started_at: '2026-05-07T10:05:00.000Z' });
    push(event('RUN_STARTED', 42, b));
    push(event('RUN_STARTED', 42, b));
    await waitFor(() => expect(runButtons(panel).map((r) => r.querySelector('.dbg-run-label')!.textContent)).toEqual(['Written while away', 'Cached run']));
    expect(mock.named('ChatDebugEvents')).toHaveLength(1);
  });

  test('a reconnection before any event (no cursor to resume from) reloads the list and every loaded detail', async () => {
    const id = uuid('f3f30001');
    const running = detail({ id, status: 'in_progress', finished_at: undefined, summary: { first_message: 'Running' } }, []);
    let current = running;
    const { mock, live } = renderDebugChat({ runs: [running], details: () => current });
    const body = await expandRun(await debugPanel());
    expect(await within(body).findByText('No steps recorded.')).toBeTruthy();
    live.emit('lost');
    // Written while the socket was down: two steps, and the run finished.
    current = detail({ id, status: 'completed', summary: { first_message: 'Running' } }, [step(id, 1), step(id, 2)]);
    live.emit('restored');
    await waitFor(() => expect(within(body).queryByText('No steps recorded.')).toBeNull());
    expect(within(body).getByText('Step 2', { exact: false })).toBeTruthy();
    expect(mock.named('DebugRunDetail')).toHaveLength(2);
  });

  test('when the socket gives up, the feed subscribes again from the last cursor', async () => {
    const a = detail({ id: uuid('f2f20001') });
    const { mock, push, pushError } = renderDebugChat({ runs: [a] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    push(event('RUN_UPDATED', 7, a));
    pushError({ networkError: 'socket closed' });
    expect(await within(panel).findByText('Live updates paused. Reconnecting…')).toBeTruthy();
    await waitFor(() => expect(mock.variablesOf('ChatDebugEvents')).toEqual([{ chatId: CHAT_ID, after: null }, { chatId: CHAT_ID, after: '7' }]), { timeout: 2500 });
  });

  test('a stream ended by the server (access removed) keeps what is shown, says so, and does not retry', async () => {
    const { mock, pushError } = renderDebugChat({ runs: [detail({ id: uuid('f4f40001'), summary: { first_message: 'Seen before' } })] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    pushError({ errors: [{ message: 'Resource not found or you do not have access to this resource', code: 'NOT_FOUND' }] });
    const line = await within(panel).findByText('Live updates stopped: Resource not found or you do not have access to this resource');
    expect(line.getAttribute('role')).toBe('status');
    expect(runButtons(panel)).toHaveLength(1);
    await sleep(1200);
    expect(mock.named('ChatDebugEvents')).toHaveLength(1);
  });

  test('signed out (4403): the message with a "Sign in" link, and no further attempts', async () => {
    const { mock, live } = renderDebugChat({ runs: [detail({ id: uuid('f3f30001') })] });
    const panel = await debugPanel();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(1));
    live.emit('signed-out');
    const message = await within(panel).findByText('You are signed out. Sign in to see new debug runs.');
    expect(message.closest('[role="status"]')).toBeTruthy();
    const link = within(panel).getByRole('link', { name: 'Sign in' });
    expect(link.getAttribute('href')).toMatch(/^\/login/);
    expect(runButtons(panel)).toHaveLength(1);
    await sleep(1200);
    expect(mock.named('ChatDebugEvents')).toHaveLength(1);
  });
});

// ---------- 43 (Debug tab part): keyboard and labels ----------

describe('43. KeyboardAndLabels (Debug tab)', () => {
  test('every control is a native button operated with Enter and Space, with aria-expanded/aria-controls; axe finds no violations', async () => {
    renderDebugChat({ runs: [retriesRun, singleStepRun] });
    const panel = await debugPanel();
    const user = userEvent.setup();
    await waitFor(() => expect(runButtons(panel)).toHaveLength(2));
    const row = runButtons(panel)[0];
    row.focus();
    await user.keyboard('{Enter}');
    expect(row.getAttribute('aria-expanded')).toBe('true');
    const body = document.getElementById(row.getAttribute('aria-controls')!)!;
    const stepTrigger = await within(body).findByRole('button', { name: /^Step 1/ });
    stepTrigger.focus();
    await user.keyboard(' ');
    expect(stepTrigger.getAttribute('aria-expanded')).toBe('true');
    const attempt = within(body).getAllByRole('button', { name: /^Attempt/ })[0];
    attempt.focus();
    await user.keyboard('{Enter}');
    expect(attempt.getAttribute('aria-expanded')).toBe('true');
    const toggle = within(body).getAllByRole('button', { name: 'Request body' })[0];
    toggle.focus();
    await user.keyboard(' ');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    for (const control of Array.from(panel.querySelectorAll('button'))) {
      expect(control.getAttribute('type')).toBe('button');
      const name = control.getAttribute('aria-label') ?? control.textContent!.trim();
      expect(name, control.outerHTML.slice(0, 100)).not.toBe('');
      if (control.hasAttribute('aria-expanded')) expect(document.getElementById(control.getAttribute('aria-controls')!)).toBeTruthy();
    }
    // Every control of the panel is a Tab stop, in document order.
    const controls = Array.from(panel.querySelectorAll<HTMLElement>('button:not([disabled]), a[href]'));
    (screen.getByRole('tab', { name: 'Debug' }) as HTMLElement).focus();
    const visited: HTMLElement[] = [];
    for (let i = 0; i < controls.length + 5 && visited.length < controls.length; i++) {
      await user.tab();
      if (panel.contains(document.activeElement)) visited.push(document.activeElement as HTMLElement);
    }
    expect(visited).toEqual(controls);
    expect(await axeViolations(document.querySelector('.app') ?? document.body)).toEqual([]);
  });
});

