/** exit.ts ends the process, so each case runs in a `deno eval` of its own. */
import assert from "node:assert/strict";

const EXIT = new URL("../../../src/cli/exit.ts", import.meta.url).href;

/** Runs `code` after importing exit.ts as `x`; its exit code, stdout and stderr. */
async function run(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as x from "${EXIT}"; ${code}`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("fail(): prints 'bucketgate: <message>' on stderr and exits 2", async () => {
  assert.deepEqual(await run(`x.fail("cannot listen on :80")`), {
    code: 2,
    stdout: "",
    stderr: "bucketgate: cannot listen on :80\n",
  });
});

Deno.test("orFail(): the value of an ok Result; an error ends the process with exit 2", async () => {
  assert.deepEqual(await run(`console.log(x.orFail({ ok: true, value: 42 }))`), {
    code: 0,
    stdout: "42\n",
    stderr: "",
  });
  assert.deepEqual(
    await run(`x.orFail({ ok: false, error: "bad --listen" }); console.log("after")`),
    {
      code: 2,
      stdout: "",
      stderr: "bucketgate: bad --listen\n",
    },
  );
});

Deno.test("refuse(): the report, then exit 1 under --check-config, else the summary and exit 2", async () => {
  const r = `{ report: "c.yaml:3:5 buckets[0].name: bad", summary: "c.yaml has 1 problem" }`;
  assert.deepEqual(await run(`x.refuse(${r}, { checkConfig: true })`), {
    code: 1,
    stdout: "",
    stderr: "c.yaml:3:5 buckets[0].name: bad\n",
  });
  assert.deepEqual(await run(`x.refuse(${r}, { checkConfig: false })`), {
    code: 2,
    stdout: "",
    stderr: "c.yaml:3:5 buckets[0].name: bad\nbucketgate: c.yaml has 1 problem\n",
  });
});
