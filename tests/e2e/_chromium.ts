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

/** A PNG screenshot of `url` (after 5 s of virtual time) in a `width`×`height` window. */
export async function screenshot(url: string, width = 1000, height = 1400): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-chromium-" });
  try {
    const file = `${dir}/shot.png`;
    const r = await run("chromium", [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--hide-scrollbars",
      `--user-data-dir=${dir}/profile`,
      "--virtual-time-budget=5000",
      `--window-size=${width},${height}`,
      `--screenshot=${file}`,
      url,
    ]);
    if (r.code !== 0) throw new Error(`chromium --screenshot failed: ${r.stderr}`);
    return await Deno.readFile(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
