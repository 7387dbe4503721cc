/**
 * `clientTest`: a Deno test of one client on one backend whose outcome is
 * appended (a JSON line) to the file named by BUCKETGATE_COMPAT_OUT, when set.
 * `render.ts` turns those records into the README's compatibility table.
 */
import type { BackendKind } from "../_backends.ts";
import { run } from "../_gateway.ts";
import { type ClientName, COMPAT_OUT_ENV, type CompatRecord } from "./clients.ts";

/** Options of `clientTest`. */
export interface ClientTestOptions {
  readonly client: ClientName;
  readonly backend: BackendKind;
  /** What the test covers (the rest of the test's name). */
  readonly name: string;
  /** True when the client or the backend is missing here (the test is then skipped). */
  readonly ignore: boolean;
  /** The client's version, asked after the test ran. */
  readonly version: () => Promise<string>;
  readonly fn: (t: Deno.TestContext) => Promise<void>;
  /** @default true */
  readonly sanitize?: boolean;
}

/** Declares the test `<client> on <backend>: <name>` and records its outcome. */
export function clientTest(o: ClientTestOptions): void {
  const sanitize = o.sanitize ?? true;
  Deno.test({
    name: `${o.client} on ${o.backend}: ${o.name}`,
    ignore: o.ignore,
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
