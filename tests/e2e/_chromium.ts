/** Headless Chromium (Debian's) for the browser tests: load a page, let its script run, read the DOM. */
import { run } from "./_gateway.ts";
import { missingCommand } from "../_support/tools.ts";

/** Why Chromium cannot run here; under CI=true, throws. */
export const noChromium: string | undefined = await missingCommand("chromium");

/** The DOM of `url` after its scripts ran (5 s of virtual time), as Chromium dumps it. */
export async function dumpDom(url: string): Promise<string> {
  const r = await run("chromium", [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--user-data-dir=" + await Deno.makeTempDir({ prefix: "bucketgate-chromium-" }),
    "--virtual-time-budget=5000",
    "--dump-dom",
    url,
  ]);
  return r.stdout;
}
