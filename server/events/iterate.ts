import type { BusEvent, EventBus } from './bus.ts';

/**
 * Turns bus events on some topics into an async iterator of "something changed" ticks. Bursts
 * coalesce into one tick, so a slow consumer never makes the queue grow.
 */
export function changeSignals(bus: EventBus, topics: string[], accept: (payload: BusEvent['payload']) => boolean = () => true) {
  let pending = false;
  let wake: (() => void) | undefined;
  let done = false;
  const offs = topics.map((topic) =>
    bus.on(topic, (payload) => {
      if (!accept(payload)) return;
      pending = true;
      wake?.();
    }),
  );
  const stop = () => {
    done = true;
    for (const off of offs) off();
    wake?.();
  };
  const iterator: AsyncIterableIterator<void> = {
    async next() {
      while (!pending && !done) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (done) return { value: undefined, done: true };
      pending = false;
      return { value: undefined, done: false };
    },
    async return() {
      stop();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export const SETTINGS_TOPIC = 'settings';
