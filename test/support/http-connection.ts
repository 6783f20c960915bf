import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  text: string;
}

/**
 * A minimal HTTP/1.1 keep-alive client on one socket, in the spirit of wrk: a request is written
 * as one string and its answer read by Content-Length (or chunks), so a load generator sharing the
 * machine's two cores with the server spends little of them. Tests use `write` and `answer` to send
 * a request piece by piece, or only part of one.
 */
export class HttpConnection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending?: { resolve: (answer: Answer) => void; reject: (error: Error) => void };

  constructor(url: URL) {
    this.socket = connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(error: Error) {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  private receive(chunk: Buffer) {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.deliver();
  }

  /** Resolves the pending answer once the buffered bytes hold all of it. */
  private deliver() {
    const headerEnd = this.buffered.indexOf('\r\n\r\n');
    if (headerEnd < 0 || !this.pending) return;
    const head = this.buffered.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const body = length ? this.fixedBody(headerEnd + 4, Number(length[1])) : /\r\ntransfer-encoding: *chunked/i.test(head) ? this.chunkedBody(headerEnd + 4) : undefined;
    if (!length && body === undefined && !/\r\ntransfer-encoding: *chunked/i.test(head)) return this.fail(new Error(`answer without a length: ${head}`));
    if (!body) return;
    this.buffered = this.buffered.subarray(body.end);
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve({ status: Number(head.slice(9, 12)), text: body.text });
  }

  private fixedBody(start: number, length: number) {
    if (this.buffered.length < start + length) return undefined;
    return { text: this.buffered.toString('utf8', start, start + length), end: start + length };
  }

  /** The body once its last (zero-size) chunk has arrived. */
  private chunkedBody(start: number) {
    const parts: Buffer[] = [];
    for (let at = start; ; ) {
      const lineEnd = this.buffered.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.buffered.toString('latin1', at, lineEnd), 16);
      if (size === 0) {
        if (this.buffered.length < lineEnd + 4) return undefined;
        return { text: Buffer.concat(parts).toString('utf8'), end: lineEnd + 4 };
      }
      if (this.buffered.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(this.buffered.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }

  /** `head`: the request line and headers, without Content-Length (added here) and the blank line. */
  send(head: string, body = ''): Promise<Answer> {
    const answer = this.answer();
    this.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return answer;
  }

  /** Raw bytes of a request, as they are. */
  write(text: string) {
    if (!this.socket.destroyed) this.socket.write(text, (error) => error && this.fail(error));
  }

  /** The next answer on this connection (one request in flight at a time). */
  answer(): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) return reject(new Error('connection closed'));
      this.pending = { resolve, reject };
      this.deliver();
    });
  }

  close() {
    this.socket.destroy();
  }
}
