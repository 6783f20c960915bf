/** Events carry ids and a kind, never payloads: subscribers load what they need. */
export interface BusEvent {
  topic: string;
  payload: Record<string, string | number | boolean | null>;
}

type Listener = (payload: BusEvent['payload']) => void;

export interface EventBus {
  publish(topic: string, payload: BusEvent['payload']): void;
  /** Returns an unsubscribe function. */
  on(topic: string, listener: Listener): () => void;
  close(): Promise<void>;
}

/** Single-process transport. */
export class InProcessEventBus implements EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(topic: string, payload: BusEvent['payload']): void {
    for (const listener of this.listeners.get(topic) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error('event listener failed:', error);
      }
    }
  }

  on(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
