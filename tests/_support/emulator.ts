/**
 * A suite over one emulator process (moto, Azurite, s3rver): one parent
 * Deno.test whose steps are the suite's cases. The emulator starts before the
 * first step and is stopped in the parent's `finally`, so neither a `--filter`
 * nor a failing case leaves the process running. When the emulator cannot run
 * here, the parent is registered ignored with the reason in its name.
 */
import { skippable } from "./tools.ts";

/** Registers one case: a step of the parent test. */
export type RegisterCase = (title: string, fn: (t: Deno.TestContext) => Promise<void>) => void;

/** Options of `emulatorSuite`. */
export interface EmulatorSuiteOptions<E extends { stop(): Promise<void> }> {
  /** The parent test's name, e.g. `"s3 (moto)"`. */
  readonly name: string;
  /** Why the emulator cannot run here (see `requireTool`), or undefined. */
  readonly missing: string | undefined;
  /** Starts the emulator. */
  start(): Promise<E>;
  /** Whether Deno's op and resource sanitizers check the parent (off: keep-alive pools). @default true */
  readonly sanitizers?: boolean;
}

/** The cases of one emulator's parent test. */
export interface EmulatorSuite<E> {
  /** Adds a case (call while the module loads). */
  readonly test: RegisterCase;
  /** The running emulator (only while the cases run). */
  emulator(): E;
}

/** Registers the parent test of a suite over one emulator; see the module doc. */
export function emulatorSuite<E extends { stop(): Promise<void> }>(
  o: EmulatorSuiteOptions<E>,
): EmulatorSuite<E> {
  const cases: { title: string; fn: (t: Deno.TestContext) => Promise<void> }[] = [];
  let running: E | undefined;
  Deno.test({
    ...skippable(o.name, o.missing),
    ...(o.sanitizers === false ? { sanitizeOps: false, sanitizeResources: false } : {}),
    async fn(t) {
      running = await o.start();
      try {
        for (const c of cases) await t.step(c.title, c.fn);
      } finally {
        await running.stop();
        running = undefined;
      }
    },
  });
  return {
    test: (title, fn) => void cases.push({ title, fn }),
    emulator() {
      if (!running) throw new Error(`Cannot reach the emulator of ${o.name}: it is not running`);
      return running;
    },
  };
}
