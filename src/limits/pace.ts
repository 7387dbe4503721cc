/**
 * Byte-rate pacing as a TransformStream: each chunk goes on in slices of
 * about 50 ms at the rate, each slice sent once its bytes are reserved
 * (store.reserve) and their wait slept. Nothing is buffered beyond the chunk
 * in hand, and bytes keep flowing every slice, so a paced body never trips
 * the idle timeout (streams/idle.ts) unless the rate is below a slice per
 * timeout. Only bodies under a byte-rate rule get this stage.
 */
import type { Clock } from "../clock.ts";
import type { IdleWatchdog, Transfer } from "../streams/idle.ts";
import type { ByteRate } from "./plan.ts";
import type { CounterStore } from "./store.ts";

/** Sleeps (injected so tests move a manual clock instead). */
export type Sleep = (ms: number) => Promise<void>;

/** The real sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The slice of a rate: 50 ms of bytes, at least 1 KiB and at most 256 KiB. */
export function sliceOf(bytesPerSecond: number): number {
  return Math.min(256 * 1024, Math.max(1024, Math.floor(bytesPerSecond / 20)));
}

/** Collaborators of a pacer. */
export interface PaceDeps {
  readonly store: CounterStore;
  readonly clock: Clock;
  readonly sleep: Sleep;
}

/** A stage that paces its bytes under every given rate (the slowest wins); `onSent` hears each slice. */
export function pacer(
  rates: readonly ByteRate[],
  deps: PaceDeps,
  onSent: (bytes: number) => void = () => {},
): TransformStream<Uint8Array, Uint8Array> {
  const slice = Math.min(...rates.map((r) => sliceOf(r.bytesPerSecond)));
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      for (let at = 0; at < chunk.byteLength; at += slice) {
        const part = chunk.subarray(at, Math.min(chunk.byteLength, at + slice));
        let wait = 0;
        for (const r of rates) {
          const w = await deps.store.reserve({
            key: r.key,
            perUnitMs: 1000 / r.bytesPerSecond,
            burst: sliceOf(r.bytesPerSecond),
            cost: part.byteLength,
          }, deps.clock.now());
          wait = Math.max(wait, w);
        }
        if (wait > 0) await deps.sleep(wait);
        controller.enqueue(part);
        onSent(part.byteLength);
      }
    },
  });
}

/**
 * A watchdog for one paced request: the transfers its backend watches count
 * every byte the pacer sends on (`touch`), so a body held back by pacing is
 * not taken for an idle client, while a client that stops reading still
 * stops the pacer and is cut.
 */
export function keepWatched(
  inner: IdleWatchdog,
): { watchdog: IdleWatchdog; touch(n: number): void } {
  const live = new Set<Transfer>();
  const watchdog: IdleWatchdog = {
    timeoutMs: inner.timeoutMs,
    sweep: () => inner.sweep(),
    get size() {
      return inner.size;
    },
    watch(onIdle) {
      const t = inner.watch(onIdle);
      live.add(t);
      return {
        get moved() {
          return t.moved;
        },
        set moved(n: number) {
          t.moved = n;
        },
        get cut() {
          return t.cut;
        },
        end() {
          live.delete(t);
          t.end();
        },
      };
    },
  };
  return { watchdog, touch: (n) => live.forEach((t) => (t.moved += n)) };
}
