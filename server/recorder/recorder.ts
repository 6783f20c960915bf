import { AsyncLocalStorage } from 'node:async_hooks';
import { capRequestText, redactUrlsInText, sanitizeAttempts as sanitizeForServer } from '../debug/redaction.ts';
import { ADVISOR_USE_KEY } from '../debug/lifecycle.ts';
import { detectFormat, normalizeRequest, normalizeResponse, type ProviderFormat } from './normalize.ts';

/**
 * The server applies the contract's redaction; the recorder also hides `key` query parameters
 * (Google-style API keys), in URLs and in error text, so such secrets never leave the runtime.
 */
const EXTRA_URL_PARAMS = ['key'];
const sanitizeAttempts = (attempts: unknown) => sanitizeForServer(attempts, EXTRA_URL_PARAMS);

/**
 * Records an agent runtime's model calls as debug runs and steps through the ingestion API.
 *
 *   const recorder = new DebugRecorder({ url, token, chatId });
 *   await recorder.run({ kind: 'chat_turn', firstMessage }, (run) =>
 *     run.step({ operation: 'stream' }, () => llm.messages.create(body, { fetch: recorder.fetch })));
 *
 * `recorder.fetch` captures every HTTP attempt made inside a step (retries included). Answers reach
 * the agent as they arrive: a streamed body is recorded as the agent reads it, never read ahead.
 * The agent waits for the server only to start a run (the gate, at most `timeoutMs`); everything
 * else is written in the background, in order, and `flush()` waits for it (call it before the
 * process exits). When the gate is closed, or the server cannot be reached, `recorder.fetch` is a
 * plain pass-through and the recorder stops asking for a while. Recording failures are reported to
 * `onError` and never reach the agent.
 */

/** `\u0000` escapes in JSON text, not `\\u0000` (an escaped backslash followed by "u0000"). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * JSON text of a write, with U+FFFD in place of each NUL (U+0000) in a key or a value: PostgreSQL
 * cannot store a NUL, so the server refuses one (400), and a provider's answer that holds one would
 * otherwise leave its step unrecorded. The agent still gets the answer as the provider sent it.
 */
export function jsonWithoutNul(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? text.replace(NUL_ESCAPE, '$1\\ufffd') : text;
}

export interface RecorderOptions {
  /** Experiments server base URL, e.g. http://localhost:3000. */
  url: string;
  /** The chat owner's session token or a key made for the runtime. */
  token: string;
  chatId: string;
  /** The fetch the LLM client would use; also used for the ingestion calls. */
  fetch?: typeof fetch;
  /** How long a closed gate (or an unreachable server) is remembered before asking again. Default 30 s. */
  gateCacheMs?: number;
  /** How long one request to the server may take before it is abandoned and reported. Default 5 s. */
  timeoutMs?: number;
  /**
   * A response body the agent stops reading for this long (without cancelling it) is recorded as
   * far as it was read, so its step and run can finish. Default 30 s.
   */
  abandonedBodyMs?: number;
  onError?: (error: Error) => void;
}

export interface RunInfo {
  kind: 'chat_turn' | 'title_generation' | 'quickgen' | 'compaction' | (string & {});
  provider?: string;
  model?: string;
  modelConfigId?: string;
  firstMessage?: string;
  triggerMessageId?: number;
  historyTipMessageId?: number;
}

export interface StepInfo {
  operation: 'stream' | 'generate';
  /** A normalized request; derived from the first attempt's body when omitted. */
  request?: Record<string, unknown>;
  /**
   * For an advisor call: the use id POST …/advisor/uses reserved for it. The step is then kept out
   * of the chat's usage totals and summed in the run summary's advisor_* keys.
   */
  advisorUseId?: string;
}

interface Attempt {
  number: number;
  status?: 'completed' | 'failed';
  method: string;
  url: string;
  path: string;
  started_at: string;
  finished_at?: string;
  request_headers: Record<string, string>;
  request_body?: string;
  response_status?: number;
  response_headers?: Record<string, string>;
  response_body?: string;
  error?: string;
  duration_ms: number;
  retry_classification?: string;
  retry_delay_ms?: number;
}

/** A response body being recorded; `end` records what was read so far (once). */
interface OpenBody {
  end(note?: string, failed?: boolean): void;
  /** Read from a copy to its end whatever the agent does (error answers): not closed early. */
  copied?: boolean;
}

/** Per recorded run: its writes (awaited before it is finished) and the order its steps are created in. */
interface RunState {
  id: string;
  writes: Promise<unknown>[];
  lastCreation: Promise<unknown>;
}

interface ActiveStep {
  attempts: Attempt[];
  pending: Promise<void>[];
  /** Bodies not yet read to the end: a retry, or the step's end, closes their record. */
  openBodies: Set<OpenBody>;
  /** Records the open bodies as far as they were read (those read from a copy finish on their own). */
  closeOpenBodies(): void;
  /** Resolves to the step id once created on the server (at the first attempt when no request was given). */
  id?: Promise<string | undefined>;
  ensureCreated(requestBody: unknown, url: string): Promise<string | undefined>;
  pushAttempts(): void;
  format: ProviderFormat;
}

export interface RecordedRun {
  /** The run id, or undefined when nothing is recorded. */
  readonly id: string | undefined;
  readonly recording: boolean;
  step<T>(info: StepInfo, work: () => Promise<T>): Promise<T>;
}

function headersToRecord(headers: HeadersInit | Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  new Headers(headers).forEach((value, name) => {
    out[name] = out[name] ? `${out[name]}, ${value}` : value;
  });
  return out;
}

async function bodyBytes(body: unknown): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  return undefined; // streams and form data are not captured
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const toBase64 = (bytes: Uint8Array | undefined) => (bytes && bytes.length ? Buffer.from(bytes).toString('base64') : undefined);

function retryInfo(status: number, headers: Headers): Pick<Attempt, 'retry_classification' | 'retry_delay_ms'> {
  if (status !== 429 && status < 500) return {};
  const after = headers.get('retry-after');
  const seconds = after !== null ? Number(after) : NaN;
  return { retry_classification: status === 429 ? 'rate_limited' : 'server_error', ...(Number.isFinite(seconds) ? { retry_delay_ms: Math.round(seconds * 1000) } : {}) };
}

/**
 * The response with a body that hands the agent each chunk as it arrives and shows it to the
 * recorder on the way: nothing is read ahead of the agent, and when the agent cancels, the
 * provider's stream is cancelled too.
 */
function passThrough(
  response: Response,
  observe: { pulling(): void; chunk(bytes: Uint8Array): void; end(): void; fail(error: unknown): void; cancel(): void },
): Response | undefined {
  if (typeof response.body?.getReader !== 'function') return undefined;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        observe.pulling();
        try {
          const { done, value } = await reader.read();
          if (done) {
            observe.end();
            controller.close();
            return;
          }
          observe.chunk(value);
          controller.enqueue(value);
        } catch (error) {
          observe.fail(error);
          controller.error(error);
        }
      },
      cancel(reason) {
        observe.cancel();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  let wrapped: Response;
  try {
    wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch {
    reader.releaseLock();
    return undefined; // a status a built Response cannot carry with a body
  }
  // Clients read these; a Response built by hand would say "" and false.
  Object.defineProperty(wrapped, 'url', { value: response.url });
  Object.defineProperty(wrapped, 'redirected', { value: response.redirected });
  return wrapped;
}

export class DebugRecorder {
  readonly fetch: typeof fetch;
  private readonly base: typeof fetch;
  private readonly current = new AsyncLocalStorage<ActiveStep | null>();
  private gateClosedUntil = 0;
  /** Background recording of runs that already returned to the agent. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: RecorderOptions) {
    this.base = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const step = this.current.getStore();
      return step ? this.capture(step, input, init) : this.base(input, init);
    }) as typeof fetch;
  }

  private report(error: unknown) {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  /**
   * Waits until the recording of every run that returned has reached the server, or `timeoutMs`
   * passed (a body the agent leaves unread keeps its step open for up to `abandonedBodyMs`).
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
      clearTimeout(timer);
    }
    if (this.inFlight.size > 0) this.report(new Error(`flush: ${this.inFlight.size} run(s) still being recorded after ${timeoutMs} ms`));
  }

  private track(work: Promise<unknown>) {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** One ingestion request. A 409 is an answer only where `conflictIsAnswer` (starting a run: the gate). */
  private async api(method: string, path: string, body: unknown, conflictIsAnswer = false): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const url = `${this.options.url.replace(/\/+$/, '')}/api/experimental/chats/${this.options.chatId}/debug${path}`;
    const response = await this.base(url, {
      method,
      headers: { 'Coder-Session-Token': this.options.token, 'Content-Type': 'application/json' },
      body: jsonWithoutNul(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    if (response.status >= 400 && !(conflictIsAnswer && response.status === 409)) {
      const message = typeof json?.message === 'string' ? json.message : text.slice(0, 200);
      throw new Error(`${method} ${path} answered ${response.status}: ${message}`);
    }
    return { status: response.status, json };
  }

  /** Runs `work` as one debug run. Returns what `work` returns; rethrows what it throws. */
  async run<T>(info: RunInfo, work: (run: RecordedRun) => Promise<T>): Promise<T> {
    const runId = await this.startRun(info);
    if (!runId) return work(this.passThroughRun());
    const state: RunState = { id: runId, writes: [], lastCreation: Promise.resolve() };
    const { writes } = state;
    const run: RecordedRun = { id: runId, recording: true, step: (stepInfo, stepWork) => this.step(state, stepInfo, stepWork) };
    // Finished once every step's record is written; the agent does not wait for it.
    const finish = (status: 'completed' | 'error') =>
      this.track(
        (async () => {
          for (let settled = -1; settled !== writes.length; ) {
            settled = writes.length;
            await Promise.allSettled(writes);
          }
          await this.safe(() => this.api('PATCH', `/runs/${runId}`, { status }));
        })(),
      );
    try {
      const result = await work(run);
      finish('completed');
      return result;
    } catch (error) {
      finish('error');
      throw error;
    }
  }

  private passThroughRun(): RecordedRun {
    return { id: undefined, recording: false, step: (_info, work) => this.current.run(null, work) };
  }

  private async startRun(info: RunInfo): Promise<string | undefined> {
    if (Date.now() < this.gateClosedUntil) return undefined;
    try {
      const { status, json } = await this.api(
        'POST',
        '/runs',
        {
          kind: info.kind,
          provider: info.provider,
          model: info.model,
          model_config_id: info.modelConfigId,
          first_message: info.firstMessage,
          trigger_message_id: info.triggerMessageId,
          history_tip_message_id: info.historyTipMessageId,
        },
        true,
      );
      if (status === 409) {
        this.closeGateForAWhile();
        return undefined;
      }
      return json?.id as string;
    } catch (error) {
      // Unreachable, slow or failing: the next runs do not wait for it either.
      this.closeGateForAWhile();
      this.report(error);
      return undefined;
    }
  }

  private closeGateForAWhile() {
    this.gateClosedUntil = Date.now() + (this.options.gateCacheMs ?? 30_000);
  }

  private async safe<T>(write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }

  private async step<T>(run: RunState, info: StepInfo, work: () => Promise<T>): Promise<T> {
    const { id: runId, writes: runWrites } = run;
    let chain: Promise<unknown> = Promise.resolve();
    const enqueue = (write: () => Promise<unknown>) => {
      chain = chain.then(() => this.safe(write));
      runWrites.push(chain);
      return chain;
    };
    // Text is capped as the server would cap it, so a huge conversation still fits in one request.
    // Steps are created one after another, so the server numbers them in the order they began.
    const create = (request: Record<string, unknown>) => {
      const created = run.lastCreation.then(() =>
        this.safe(async () => (await this.api('POST', `/runs/${runId}/steps`, { operation: info.operation, normalized_request: capRequestText(request) })).json?.id as string),
      );
      run.lastCreation = created;
      return created;
    };
    const step: ActiveStep = {
      attempts: [],
      pending: [],
      openBodies: new Set(),
      closeOpenBodies: () => {
        for (const body of step.openBodies) if (!body.copied) body.end();
      },
      format: 'unknown',
      id: info.request ? create(info.request) : undefined,
      ensureCreated: (requestBody, url) => {
        step.format = detectFormat(url, requestBody);
        step.id ??= create(normalizeRequest(step.format, requestBody));
        return step.id;
      },
      pushAttempts: () => {
        const snapshot = sanitizeAttempts(step.attempts.map((a) => ({ ...a })));
        void enqueue(async () => {
          const id = await step.id;
          if (id) await this.api('PATCH', `/runs/${runId}/steps/${id}`, { attempts: snapshot });
        });
      },
    };
    const advisorMetadata = info.advisorUseId ? { [ADVISOR_USE_KEY]: info.advisorUseId } : {};
    const finish = async (body: Record<string, unknown>) => {
      await Promise.allSettled(step.pending);
      if (!step.id) step.id = create(info.request ?? {});
      await enqueue(async () => {
        const id = await step.id;
        if (id) await this.api('PATCH', `/runs/${runId}/steps/${id}`, { ...body, attempts: sanitizeAttempts(step.attempts) });
      });
    };
    // The answer goes back at once; the step is finished once its bodies have been read.
    try {
      const result = await this.current.run(step, work);
      runWrites.push(
        (async () => {
          await Promise.allSettled(step.pending);
          const last = [...step.attempts].reverse().find((a) => a.status === 'completed');
          const decoded = last?.response_body ? Buffer.from(last.response_body, 'base64').toString('utf8') : '';
          const normalized = last ? normalizeResponse(step.format, last.response_headers?.['content-type'] ?? '', decoded) : undefined;
          await finish({
            status: 'completed',
            ...(normalized ? { normalized_response: normalized.response } : {}),
            ...(normalized?.usage ? { usage: normalized.usage } : {}),
            metadata: { ...(normalized?.streamSummary ? { stream_summary: normalized.streamSummary } : {}), ...advisorMetadata },
          });
        })(),
      );
      return result;
    } catch (error) {
      // The agent gave up on this call: what its bodies held so far is all there will be.
      step.closeOpenBodies();
      const err = error instanceof Error ? error : new Error(String(error));
      const lastStatus = [...step.attempts].reverse().find((a) => a.response_status !== undefined)?.response_status;
      runWrites.push(
        finish({
          status: 'error',
          error: { message: redactUrlsInText(err.message, EXTRA_URL_PARAMS), type: err.name || 'Error', ...(lastStatus ? { provider_status: lastStatus } : {}) },
          ...(info.advisorUseId ? { metadata: advisorMetadata } : {}),
        }),
      );
      throw error;
    }
  }

  private async capture(step: ActiveStep, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : String(input);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const reqBytes = await bodyBytes(init?.body ?? (request ? await request.clone().arrayBuffer() : undefined));
    let parsedBody: unknown;
    try {
      parsedBody = reqBytes ? JSON.parse(new TextDecoder().decode(reqBytes)) : undefined;
    } catch {
      parsedBody = undefined;
    }
    // The step is created on the server while the provider is asked; nothing waits for it.
    if (step.attempts.length === 0) void step.ensureCreated(parsedBody, url);
    // A new attempt means the earlier ones are over (an SDK need not read a body it retries).
    step.closeOpenBodies();
    let pathname = '';
    try {
      pathname = new URL(url).pathname;
    } catch {
      // relative or invalid URL
    }
    const attempt: Attempt = {
      number: step.attempts.length + 1,
      method,
      url,
      path: pathname,
      started_at: new Date().toISOString(),
      request_headers: headersToRecord(init?.headers ?? request?.headers),
      request_body: toBase64(reqBytes),
      duration_ms: 0,
    };
    step.attempts.push(attempt);
    const started = performance.now();
    const finishAttempt = (status: 'completed' | 'failed', error?: string) => {
      attempt.status = status;
      if (error !== undefined) attempt.error = error;
      attempt.finished_at = new Date().toISOString();
      attempt.duration_ms = Math.round(performance.now() - started);
      step.pushAttempts();
    };
    let response: Response;
    try {
      response = await this.base(input, init);
    } catch (error) {
      finishAttempt('failed', errorText(error));
      throw error;
    }
    attempt.response_status = response.status;
    attempt.response_headers = headersToRecord(response.headers);
    Object.assign(attempt, retryInfo(response.status, response.headers));
    let settle = () => {};
    step.pending.push(new Promise<void>((resolve) => (settle = resolve)));
    const chunks: Uint8Array[] = [];
    let idle: NodeJS.Timeout | undefined;
    const body: OpenBody = {
      end: (note, failed = false) => {
        if (!step.openBodies.delete(body)) return;
        clearTimeout(idle);
        attempt.response_body = toBase64(Buffer.concat(chunks));
        finishAttempt(response.ok && !failed ? 'completed' : 'failed', note);
        settle();
      },
    };
    step.openBodies.add(body);
    if (!response.body) {
      body.end();
      return response;
    }
    // An error answer is short and often not read by a client that retries: read a copy now.
    if (!response.ok) {
      body.copied = true;
      response
        .clone()
        .arrayBuffer()
        .then((buffer) => chunks.push(new Uint8Array(buffer)))
        .catch(() => undefined)
        .finally(() => body.end());
      return response;
    }
    const abandonedAfter = this.options.abandonedBodyMs ?? 30_000;
    const waitForReader = (waiting: boolean) => {
      clearTimeout(idle);
      if (waiting && step.openBodies.has(body)) {
        idle = setTimeout(() => body.end('The caller did not read the rest of the response.'), abandonedAfter);
        idle.unref(); // never what keeps an agent's process alive
      }
    };
    const wrapped = passThrough(response, {
      pulling: () => waitForReader(false),
      chunk: (bytes) => {
        if (!step.openBodies.has(body)) return; // recorded already: the rest only passes through
        chunks.push(bytes);
        waitForReader(true);
      },
      end: () => body.end(),
      fail: (error) => body.end(errorText(error), true),
      cancel: () => body.end('The caller stopped reading the response.'),
    });
    if (!wrapped) {
      // Not a standard body (another fetch implementation): the agent gets it as it is.
      body.end();
      return response;
    }
    waitForReader(true);
    return wrapped;
  }
}
