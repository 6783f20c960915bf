// A bare graphql-transport-ws socket for protocol abuse tests: sends whatever frames the test
// writes and records what comes back. Every wait is bounded.
import WebSocket from 'ws';
import { WAIT_MS, waitUntil, wsUrl } from './debug-stream.ts';

export interface Closed {
  code: number;
  reason: string;
}

export class RawSocket {
  readonly messages: Record<string, unknown>[] = [];
  closed?: Closed;
  /** HTTP status when the upgrade was refused. */
  refused?: number;
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(wsUrl(baseUrl), 'graphql-transport-ws', { headers });
    this.opened = new Promise((resolve, reject) => {
      this.socket.on('open', () => resolve());
      this.socket.on('unexpected-response', (_req, res) => {
        this.refused = res.statusCode ?? 0;
        this.socket.terminate();
        resolve();
      });
      this.socket.on('error', (error) => {
        if (this.refused === undefined) reject(error);
      });
    });
    this.socket.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(data.toString()));
      } catch {
        this.messages.push({ unparsable: data.toString() });
      }
    });
    this.socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Resolves once open, or once the upgrade was refused (then `refused` holds the status). */
  async ready(): Promise<this> {
    await this.opened;
    return this;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** Sends connection_init with the token and waits for the ack. */
  async init(token: string): Promise<this> {
    await this.ready();
    this.send({ type: 'connection_init', payload: { sessionToken: token } });
    await this.waitFor((m) => m.type === 'connection_ack', 'connection_ack');
    return this;
  }

  async waitFor(match: (m: Record<string, unknown>) => boolean, what: string, timeoutMs = WAIT_MS): Promise<Record<string, unknown>> {
    await waitUntil(() => this.messages.some(match) || this.closed !== undefined, what, timeoutMs);
    const found = this.messages.find(match);
    if (!found) throw new Error(`socket closed (${JSON.stringify(this.closed)}) before ${what}`);
    return found;
  }

  async waitClosed(timeoutMs = WAIT_MS): Promise<Closed> {
    await waitUntil(() => this.closed !== undefined, 'the socket to close', timeoutMs);
    return this.closed!;
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
  }
}
