import assert from "node:assert/strict";
import { trustDenoCert } from "../../../src/cli/deno_cert.ts";

/** Runs `fn` with DENO_CERT set to `value` (or unset), restoring it after. */
async function withDenoCert(value: string | undefined, fn: () => Promise<void>): Promise<void> {
  const saved = Deno.env.get("DENO_CERT");
  if (value === undefined) Deno.env.delete("DENO_CERT");
  else Deno.env.set("DENO_CERT", value);
  try {
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("DENO_CERT");
    else Deno.env.set("DENO_CERT", saved);
  }
}

Deno.test("trustDenoCert(): nothing to do without DENO_CERT", async () => {
  await withDenoCert(undefined, async () => {
    assert.deepEqual(await trustDenoCert(), { ok: true, value: undefined });
  });
});

Deno.test("trustDenoCert(): a DENO_CERT that cannot be read is an error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = `${dir}/none.pem`;
    await withDenoCert(missing, async () => {
      const r = await trustDenoCert();
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.error, new RegExp(`^DENO_CERT: cannot read ${missing}: .*No such file`));
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trustDenoCert(): a readable DENO_CERT is trusted", async () => {
  const file = await Deno.makeTempFile({ suffix: ".pem" });
  try {
    await Deno.writeTextFile(
      file,
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    await withDenoCert(file, async () => {
      assert.deepEqual(await trustDenoCert(), { ok: true, value: undefined });
    });
  } finally {
    await Deno.remove(file);
  }
});
