/** Headless Chromium (Debian's) for the browser tests: load a page, let its script run, read the DOM. */
import { run } from "./_gateway.ts";
import { missingCommand } from "../_support/tools.ts";
import { freePort } from "../_support/ports.ts";

/** A page server for the browser: one HTML page on every path of 127.0.0.1:`port`. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`: the page's origin, for CORS rules. */
  readonly origin: string;
  /** Shuts the server down. */
  stop(): Promise<void>;
}

/**
 * Serves `html` on `port` (a fresh one unless given: pick it first when the
 * gateway's CORS rules must name the origin before the page can be written).
 */
export function servePage(html: string, port: number = freePort()): PageServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    () => new Response(html, { headers: { "content-type": "text/html" } }),
  );
  return { origin: `http://127.0.0.1:${port}`, stop: () => server.shutdown() };
}

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
