import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a model provider, for the demo and the recorder tests:
 * - POST /v1/messages: Anthropic-style JSON; answers 529 "overloaded" once whenever `failNext` is set;
 *   a request with a string `echo` is answered with that text;
 * - POST /v1/chat/completions: OpenAI-style server-sent events with text, a tool call and usage;
 * - POST /v1/bad: a 400 error; /drop: the connection is cut.
 */
export interface FakeProvider {
  url: string;
  hits(): number;
  failNextMessage(): void;
  close(): Promise<void>;
}

const ANSWERS = [
  'The flake comes from two tests sharing one temp directory. Give each test its own directory.',
  'Retry the download with exponential backoff and cap it at three attempts.',
  'The lockfile pins an old esbuild; update it and rebuild the native binary.',
  'Guard the cache write with a mutex so concurrent builds do not corrupt it.',
];

export function startFakeProvider(options: { streamDelayMs?: number } = {}): Promise<FakeProvider> {
  let count = 0;
  let failNext = false;
  const delay = options.streamDelayMs ?? 5;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      count++;
      let parsed: { messages?: unknown[]; echo?: unknown } = {};
      try {
        parsed = JSON.parse(body || '{}');
      } catch {
        // keep defaults
      }
      const turn = Array.isArray(parsed.messages) ? parsed.messages.length : 1;
      const url = req.url ?? '';
      if (url.startsWith('/v1/messages')) {
        if (failNext) {
          failNext = false;
          res.writeHead(529, { 'content-type': 'application/json', 'retry-after': '0' })
            .end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
          return;
        }
        const text = typeof parsed.echo === 'string' ? parsed.echo : ANSWERS[turn % ANSWERS.length];
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${count}`, 'anthropic-ratelimit-tokens-remaining': '79000' }).end(
          JSON.stringify({
            id: `msg_${count}`,
            type: 'message',
            role: 'assistant',
            content: [{ type: 'text', text }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 900 + turn * 37, output_tokens: Math.ceil(text.length / 4), cache_read_input_tokens: 512 },
          }),
        );
        return;
      }
      if (url.startsWith('/v1/chat/completions')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-ratelimit-remaining-tokens': '149000' });
        const chunks = [
          { choices: [{ delta: { role: 'assistant', content: 'Let me ' } }] },
          { choices: [{ delta: { content: 'run the failing test.' } }] },
          { choices: [{ delta: { tool_calls: [{ index: 0, id: `call_${count}`, type: 'function', function: { name: 'run_code', arguments: '{"command":' } }] } }] },
          { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '"npm test -- build.test.ts"}' } }] }, finish_reason: 'tool_calls' }] },
          { choices: [], usage: { prompt_tokens: 1200 + turn * 40, completion_tokens: 42, total_tokens: 1242 + turn * 40 } },
        ];
        let i = 0;
        const timer = setInterval(() => {
          if (i < chunks.length) res.write(`data: ${JSON.stringify(chunks[i++])}\n\n`);
          else {
            clearInterval(timer);
            res.end('data: [DONE]\n\n');
          }
        }, delay);
        return;
      }
      if (url.startsWith('/v1/bad')) {
        res.writeHead(400, { 'content-type': 'application/json' })
          .end('{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be at most 8192"}}');
        return;
      }
      if (url.startsWith('/drop')) {
        req.socket.destroy();
        return;
      }
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits: () => count,
        failNextMessage: () => (failNext = true),
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}
