/** parseXml(), xmlText() and the DeleteObjects / CompleteMultipartUpload body parsers on hostile input. */
import assert from "node:assert/strict";
import { statusOf } from "../../src/errors.ts";
import { parseDeleteBody } from "../../src/s3/ops/delete.ts";
import { parseCompleteBody } from "../../src/s3/ops/multipart.ts";
import { parseXml, xmlEscape, xmlText } from "../../src/xml.ts";
import { fuzz, mutateString, randomString, type Rng } from "./_fuzz.ts";

/** Text a valid XML document can carry (no lone surrogates, no C0 but tab/LF/CR... escaped anyway). */
function keyText(rng: Rng): string {
  let s = "";
  while (s === "" || s.trim() !== s) {
    s = randomString(rng, 10, ["ascii", "unicode", "percent", "special"]).toWellFormed();
  }
  return s;
}

function deleteBody(rng: Rng, keys: string[], quiet: boolean): string {
  const ns = rng.chance(0.5) ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Delete${ns}>` +
    (quiet ? "<Quiet>true</Quiet>" : "") +
    keys.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("") + `</Delete>`;
}

function completeBody(parts: { partNumber: number; etag: string }[]): string {
  return `<CompleteMultipartUpload>` +
    parts.map((p) =>
      `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`
    ).join("") + `</CompleteMultipartUpload>`;
}

Deno.test("xmlText() inverts xmlEscape() on well-formed text", async () => {
  await fuzz("xmlText round-trip", { iterations: 5000, budgetMs: 1500 }, ({ rng, note }) => {
    const s = randomString(rng, 20).toWellFormed();
    note(s);
    assert.equal(xmlText(xmlEscape(s)), s);
  });
});

Deno.test("xmlText() never throws and never yields a lone surrogate from a reference", async () => {
  await fuzz("xmlText hostile", { iterations: 10_000, budgetMs: 1500 }, ({ rng, note }) => {
    const ref = rng.pick([
      () => `&#${rng.int(0x120000)};`,
      () => `&#x${rng.int(0x120000).toString(16)};`,
      () => `&#x${"f".repeat(rng.range(6, 30))};`,
      () => `&#${"9".repeat(rng.range(6, 30))};`,
      () => `&${rng.pick(["amp", "lt", "gt", "quot", "apos", "nbsp", "copy", "x", ""])};`,
      () => "&",
    ])();
    const raw = randomString(rng, 4, ["ascii"]) + ref + randomString(rng, 4, ["ascii"]);
    note(raw);
    const out = xmlText(raw);
    if (out !== undefined) assert.ok(out.isWellFormed() || !raw.isWellFormed());
  });
});

Deno.test("parseDeleteBody() round-trips keys and refuses mutations with a 4xx, never a throw", async () => {
  await fuzz("parseDeleteBody", { iterations: 3000, budgetMs: 2500 }, ({ rng, note }) => {
    const keys = Array.from({ length: rng.range(1, 5) }, () => keyText(rng));
    const quiet = rng.chance(0.5);
    const body = deleteBody(rng, keys, quiet);
    note({ body });
    const r = parseDeleteBody(body);
    assert.ok(r.ok, "a valid Delete body was refused");
    assert.deepEqual(r.value, { keys, etags: keys.map(() => undefined), quiet });
    const mutated = mutateString(rng, body);
    note({ body, mutated });
    const m = parseDeleteBody(mutated);
    if (!m.ok) {
      assert.equal(m.error.kind, "MalformedXml");
      assert.ok(statusOf(m.error) < 500);
    } else {
      for (const k of m.value.keys) assert.ok(typeof k === "string" && k !== "");
    }
  });
});

Deno.test("parseCompleteBody() round-trips parts and refuses mutations with a 4xx", async () => {
  await fuzz("parseCompleteBody", { iterations: 3000, budgetMs: 2500 }, ({ rng, note }) => {
    const parts = Array.from({ length: rng.range(1, 5) }, () => ({
      partNumber: rng.range(1, 10000),
      etag: `"${keyText(rng)}"`,
    }));
    const body = completeBody(parts);
    note({ body });
    const r = parseCompleteBody(body);
    assert.ok(r.ok, "a valid CompleteMultipartUpload body was refused");
    assert.deepEqual(r.value, parts);
    const mutated = mutateString(rng, body);
    note({ body, mutated });
    const m = parseCompleteBody(mutated);
    if (!m.ok) {
      assert.equal(m.error.kind, "MalformedXml");
    } else {
      for (const p of m.value) {
        assert.ok(Number.isInteger(p.partNumber) && p.partNumber >= 1 && p.partNumber <= 10000);
        assert.ok(typeof p.etag === "string" && p.etag !== "");
      }
    }
  });
});

Deno.test("parseXml() never throws and never expands entities or DTDs", async () => {
  const seeds = [
    '<!DOCTYPE d [<!ENTITY x "boom">]><Delete><Object><Key>&x;</Key></Object></Delete>',
    '<?xml version="1.0"?><Delete><Object><Key>a</Key></Object></Delete>',
    "<a><b>1</b><b>2</b></a>",
    "<![CDATA[x]]><a/>",
  ];
  await fuzz("parseXml hostile", { iterations: 5000, budgetMs: 2000 }, ({ rng, note }) => {
    const text = rng.chance(0.3) ? randomString(rng, 40) : mutateString(rng, rng.pick(seeds), 5);
    note(text);
    const doc = parseXml(text);
    if (doc !== undefined) assert.ok(!JSON.stringify(doc).includes("boom"));
    const d = parseDeleteBody(text);
    const c = parseCompleteBody(text);
    if (!d.ok) assert.ok(statusOf(d.error) < 500);
    if (!c.ok) assert.ok(statusOf(c.error) < 500);
  });
});
