/** Fakes of the supervisor's parts for the workers' unit tests: timers the test advances, recording workers. */
import type { ToWorker } from "../../../src/workers/protocol.ts";
import { newSlot, type Slot, type Timers } from "../../../src/workers/slot.ts";

/** Timers that run only when the test advances the clock. */
export function manualTimers(): Timers & { advance(ms: number): void; pending(): number[] } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; f: () => void }>();
  return {
    setTimeout(f, ms) {
      due.set(++next, { at: now + ms, f });
      return next;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    now: () => now,
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          due.delete(id);
          t.f();
        }
      }
    },
    /** The delays still to run, from now. */
    pending: () => [...due.values()].map((t) => t.at - now),
  };
}

/** A serving slot whose worker records what it is sent. */
export function servingSlot(
  id: number,
): { slot: Slot; sent: ToWorker[]; terminated: () => number } {
  const slot = newSlot(id);
  const sent: ToWorker[] = [];
  let terminated = 0;
  slot.handle = { post: (m) => void sent.push(m), terminate: () => void terminated++ };
  slot.state = "serving";
  return { slot, sent, terminated: () => terminated };
}
