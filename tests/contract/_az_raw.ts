/** Azurite seen without the az backend: a Shared Key signed List Blobs. */
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../_support/azurite.ts";
import { sharedKeyAuthorization } from "../../src/backends/az/shared_key.ts";

/** Every blob of `container` whose name starts with `prefix`, name → Azure ETag. */
export async function rawBlobs(
  endpoint: string,
  container: string,
  prefix: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let marker = "";
  do {
    const q = new URLSearchParams({ restype: "container", comp: "list", prefix });
    if (marker) q.set("marker", marker);
    const url = new URL(`${endpoint}/${container}?${q}`);
    const headers: Record<string, string> = {
      "x-ms-date": new Date().toUTCString(),
      "x-ms-version": "2021-12-02",
    };
    headers.authorization = sharedKeyAuthorization(
      { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY },
      { method: "GET", url, headers },
    );
    const res = await fetch(url, { headers });
    const xml = await res.text();
    if (res.status !== 200) throw new Error(`List Blobs: ${res.status} ${xml}`);
    for (const m of xml.matchAll(/<Blob>.*?<Name>(.*?)<\/Name>.*?<Etag>(.*?)<\/Etag>/gs)) {
      out.set(unescapeXml(m[1]!), m[2]!);
    }
    marker = /<NextMarker>(.*?)<\/NextMarker>/s.exec(xml)?.[1] ?? "";
  } while (marker);
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}
