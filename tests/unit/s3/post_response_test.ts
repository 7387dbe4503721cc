import assert from "node:assert/strict";
import { objectLocation, postAnswer, type PostedObject } from "../../../src/s3/post_response.ts";

const POSTED: PostedObject = {
  bucket: "b",
  key: "dir/a b.txt",
  etag: '"abc"',
  location: "http://h/b/dir/a%20b.txt",
};
const ask = (o: Record<string, string>) => postAnswer(new Map(Object.entries(o)), POSTED);

Deno.test("objectLocation() names the object as the client addressed the bucket", () => {
  const a = { scheme: "https", host: "s3.test:8443", virtualHosted: false };
  assert.equal(objectLocation(a, "b", "dir/a b+c.txt"), "https://s3.test:8443/b/dir/a%20b%2Bc.txt");
  assert.equal(
    objectLocation({ ...a, host: "b.s3.test", virtualHosted: true }, "b", "k"),
    "https://b.s3.test/k",
  );
});

Deno.test("postAnswer() is 204 by default and for unknown statuses, 200 when asked, with ETag and Location", async () => {
  for (const fields of [{}, { success_action_status: "404" }, { success_action_status: "204" }]) {
    const r = ask(fields);
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("etag"), '"abc"');
    assert.equal(r.headers.get("location"), POSTED.location);
  }
  const r200 = ask({ success_action_status: "200" });
  assert.equal(r200.status, 200);
  assert.equal(await r200.text(), "");
});

Deno.test("postAnswer() 201 carries the PostResponse document", async () => {
  const r = ask({ success_action_status: "201" });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("content-type"), "application/xml");
  assert.equal(
    await r.text(),
    '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>http://h/b/dir/a%20b.txt</Location>' +
      "<Bucket>b</Bucket><Key>dir/a b.txt</Key><ETag>&quot;abc&quot;</ETag></PostResponse>",
  );
});

Deno.test("postAnswer() redirects 303 with bucket, key and etag, before any status", () => {
  const r = ask({ success_action_redirect: "https://app.test/ok", success_action_status: "201" });
  assert.equal(r.status, 303);
  assert.equal(
    r.headers.get("location"),
    "https://app.test/ok?bucket=b&key=dir%2Fa%20b.txt&etag=%22abc%22",
  );
  assert.equal(
    ask({ redirect: "https://app.test/ok?x=1#top" }).headers.get("location"),
    "https://app.test/ok?x=1&bucket=b&key=dir%2Fa%20b.txt&etag=%22abc%22#top",
  );
  assert.equal(ask({ success_action_redirect: "not a url" }).status, 204, "ignored, as S3 does");
  assert.equal(ask({ success_action_redirect: "javascript:alert(1)" }).status, 204);
});
