import assert from "node:assert/strict";
import { encodeCommand, parseReply, RedisReplyError } from "../../../../src/limits/redis/resp.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("encodeCommand() writes an array of bulk strings (lengths in bytes)", () => {
  assert.equal(
    new TextDecoder().decode(encodeCommand(["SET", "k", "é", 12])),
    "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$2\r\n12\r\n",
  );
});

Deno.test("parseReply() reads every RESP2 type, and waits for a whole reply", () => {
  const all =
    "+OK\r\n-ERR no\r\n:42\r\n$4\r\na\r\nb\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n*-1\r\n";
  const buf = bytes(all);
  const values = [];
  for (let at = 0, r = parseReply(buf, 0); r; r = parseReply(buf, at)) {
    values.push(r.value);
    at = r.next;
  }
  assert.equal(values.length, 7);
  assert.deepEqual(values.slice(0, 1), ["OK"]);
  assert.ok(values[1] instanceof RedisReplyError && values[1].message === "ERR no");
  assert.deepEqual(values.slice(2), [42, "a\r\nb", null, [1, ["x"]], null]);
  for (let cut = 1; cut < "*2\r\n:1\r\n$2\r\nxy\r\n".length; cut++) {
    assert.equal(
      parseReply(bytes("*2\r\n:1\r\n$2\r\nxy\r\n".slice(0, cut)), 0),
      undefined,
      `cut ${cut}`,
    );
  }
  assert.throws(() => parseReply(bytes("?x\r\n"), 0), /not a RESP reply/);
});
