/**
 * `clientTest`: a Deno test of one client on one backend whose outcome is
 * appended (a JSON line) to the file named by BUCKETGATE_COMPAT_OUT, when set.
 * `render.ts` turns those records into docs/compatibility.md's table.
 */
import type { BackendKind } from "../_backends.ts";
import { run } from "../_gateway.ts";
import { skippable } from "../../_support/tools.ts";
import { type ClientName, COMPAT_OUT_ENV, type CompatRecord } from "./clients.ts";

/** Options of `clientTest`. */
export interface ClientTestOptions {
  readonly client: ClientName;
  readonly backend: BackendKind;
  /** What the test covers (the rest of the test's name). */
  readonly name: string;
  /**
   * Why the client or the backend cannot run here (`"curl not found"`): the
   * test is then registered ignored, named `... (skipped: <skip>)`.
   */
  readonly skip?: string | undefined;
  /** Ignores the test without a reason in its name (prefer `skip`). @default false */
  readonly ignore?: boolean;
  /** The client's version, asked after the test ran. */
  readonly version: () => Promise<string>;
  readonly fn: (t: Deno.TestContext) => Promise<void>;
  /** @default true */
  readonly sanitize?: boolean;
}

/**
 * Declares the test `<client> on <backend>: <name>` and records its outcome;
 * with a `skip` reason it is ignored and named `<...> (skipped: <skip>)`.
 */
export function clientTest(o: ClientTestOptions): void {
  const sanitize = o.sanitize ?? true;
  const { name, ignore } = skippable(`${o.client} on ${o.backend}: ${o.name}`, o.skip);
  Deno.test({
    name,
    ignore: ignore || (o.ignore ?? false),
    sanitizeOps: sanitize,
    sanitizeResources: sanitize,
    async fn(t) {
      let passed = false;
      try {
        await o.fn(t);
        passed = true;
      } finally {
        await record({
          client: o.client,
          backend: o.backend,
          test: o.name,
          passed,
          version: await o.version().catch(() => "unknown"),
        });
      }
    },
  });
}

async function record(r: CompatRecord): Promise<void> {
  const out = Deno.env.get(COMPAT_OUT_ENV);
  if (!out) return;
  await Deno.writeTextFile(out, JSON.stringify(r) + "\n", { append: true });
}

/** The first match of `pattern`'s group 1 in a command's output (stdout and stderr). */
export async function commandVersion(
  cmd: string,
  args: string[],
  pattern: RegExp,
): Promise<string> {
  const r = await run(cmd, args);
  const m = pattern.exec(r.stdout + "\n" + r.stderr);
  if (!m?.[1]) throw new Error(`Cannot read the version of ${cmd}: ${r.stdout}${r.stderr}`);
  return m[1];
}

const ROOT = new URL("../../../", import.meta.url);

/** The version deno.lock resolves for an npm package named in deno.json's imports. */
export async function npmVersion(name: string): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  const specifier = config.imports?.[name];
  const resolved = typeof specifier === "string" ? lock.specifiers?.[specifier] : undefined;
  if (typeof resolved !== "string") throw new Error(`Cannot find ${name} in deno.lock`);
  return resolved.replace(/_.*$/, "");
}
