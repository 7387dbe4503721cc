import assert from "node:assert/strict";
import {
  accessKeyIdProblem,
  bucketNameProblem,
  hasTemplate,
  isHostname,
  issuerProblem,
  listenProblem,
  normalizeBackendPrefix,
  parseOrigin,
  proxyProblem,
  roleTrustProblem,
  templateProblem,
} from "../../../src/config/_rules.ts";

Deno.test("bucketNameProblem() accepts S3 names and says why it refuses the rest", () => {
  for (const ok of ["abc", "my.bucket-1", "a".repeat(63)]) {
    assert.equal(bucketNameProblem(ok), undefined, ok);
  }
  const cases: [string, RegExp][] = [
    ["ab", /it has 2 characters/],
    ["a".repeat(64), /it has 64 characters/],
    ["Abc", /lowercase letters/],
    ["-abc", /begin and end/],
    ["abc.", /begin and end/],
    ["a..b", /two adjacent periods/],
    ["192.168.1.1", /formatted as an IP address/],
    ["xn--abc", /reserved prefix xn--/],
    ["data-s3alias", /reserved suffix/],
    ["data--ol-s3", /reserved suffix/],
  ];
  for (const [name, why] of cases) {
    const p = bucketNameProblem(name);
    assert.match(
      p ?? "",
      new RegExp(`^'${name.replace(/\./g, "\\.")}' is not a valid bucket name: `),
    );
    assert.match(p ?? "", why, name);
  }
});

Deno.test("accessKeyIdProblem() wants 16–128 characters of A–Z and 0–9", () => {
  assert.equal(accessKeyIdProblem("AKIDAAAAAAAAAAAA"), undefined);
  assert.equal(accessKeyIdProblem("A".repeat(128)), undefined);
  for (const bad of ["AKIDAAAAAAAAAAA", "A".repeat(129), "akidaaaaaaaaaaaa", "AKID_AAAAAAAAAAA"]) {
    assert.match(accessKeyIdProblem(bad) ?? "", /16–128 characters of A–Z and 0–9/, bad);
  }
});

Deno.test("isHostname() takes dot-separated DNS labels in any case", () => {
  assert.equal(isHostname("S3.Example.com"), true);
  assert.equal(isHostname("localhost"), true);
  for (const bad of ["", "-a.com", "a-.com", "a..com", "a_b.com", `${"a".repeat(64)}.com`]) {
    assert.equal(isHostname(bad), false, bad);
  }
});

Deno.test("listenProblem() takes HOST:PORT with IPv4, a hostname or bracketed IPv6", () => {
  for (const ok of ["127.0.0.1:8080", "localhost:0", "[::]:9000", "[::1]:65535"]) {
    assert.equal(listenProblem(ok), undefined, ok);
  }
  for (
    const bad of ["8080", "::1:8080", "a_b:80", "[zz]:80", "host:", "256.1.1.1:80", "1.2.3:80"]
  ) {
    assert.match(listenProblem(bad) ?? "", /is not HOST:PORT/, bad);
  }
  assert.equal(listenProblem("0.0.0.0:65536"), "'0.0.0.0:65536': port must be from 0 to 65535");
});

Deno.test("issuerProblem() wants https, or http on a loopback host, and no query or credentials", () => {
  for (const ok of ["https://issuer.example.com", "http://127.0.0.1:8080", "http://localhost/x"]) {
    assert.equal(issuerProblem(ok), undefined, ok);
  }
  for (const bad of ["http://issuer.example.com", "ftp://localhost", "not a url"]) {
    assert.match(issuerProblem(bad) ?? "", /use https/, bad);
  }
  for (
    const bad of [
      "https://i.example.com/?a=1",
      "https://i.example.com/#f",
      "https://u:p@i.example.com",
    ]
  ) {
    assert.match(issuerProblem(bad) ?? "", /no query, fragment or credentials/, bad);
  }
});

Deno.test("parseOrigin() normalizes an http(s) origin and refuses anything more", () => {
  assert.deepEqual(parseOrigin("https://S3.Example.com/"), { origin: "https://s3.example.com" });
  assert.deepEqual(parseOrigin("http://h:8080"), { origin: "http://h:8080" });
  assert.deepEqual(parseOrigin("https://h:443"), { origin: "https://h" });
  assert.match((parseOrigin("h") as { problem: string }).problem, /is not a URL/);
  assert.match((parseOrigin("ftp://h") as { problem: string }).problem, /http or https/);
  assert.match((parseOrigin("https://h/p") as { problem: string }).problem, /origin only/);
});

Deno.test("proxyProblem() takes IPv4 and IPv6 addresses and CIDRs within their bit width", () => {
  for (const ok of ["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0", "::/128"]) {
    assert.equal(proxyProblem(ok), undefined, ok);
  }
  for (
    const bad of ["10.0.0.0/33", "::/129", "10.0.0.256", "010.0.0.1", "a/b/c", "host", "1.2.3.4/x"]
  ) {
    assert.match(proxyProblem(bad) ?? "", /is not an IP address or CIDR range/, bad);
  }
});

Deno.test("templateProblem() and hasTemplate() check {claim} templates in a role scope's bucket", () => {
  assert.equal(hasTemplate("team-{org}"), true);
  assert.equal(hasTemplate("data"), false);
  assert.equal(templateProblem("{sub}"), undefined);
  assert.equal(templateProblem("team-{org}.{repo_name}"), undefined);
  assert.match(templateProblem("{1x}") ?? "", /malformed \{claim\} template/);
  assert.match(templateProblem("{}") ?? "", /malformed/);
  assert.match(templateProblem("a{sub") ?? "", /unbalanced/);
  assert.match(templateProblem("Team-{sub}") ?? "", /outside its \{claim\} templates/);
});

Deno.test("normalizeBackendPrefix() drops leading slashes, adds a trailing one, refuses dot segments", () => {
  assert.deepEqual(normalizeBackendPrefix(""), { prefix: "" });
  assert.deepEqual(normalizeBackendPrefix("/"), { prefix: "" });
  assert.deepEqual(normalizeBackendPrefix("//a/b"), { prefix: "a/b/" });
  assert.deepEqual(normalizeBackendPrefix("a/"), { prefix: "a/" });
  assert.match((normalizeBackendPrefix("a/../b") as { problem: string }).problem, /'\.' or '\.\.'/);
  assert.match((normalizeBackendPrefix("./a") as { problem: string }).problem, /'\.' or '\.\.'/);
});

Deno.test("roleTrustProblem() refuses a role that any subject of its issuer satisfies", () => {
  const own = ["https://issuer.example.com"];
  const github = ["https://token.actions.githubusercontent.com"];
  assert.match(
    roleTrustProblem({ issuers: own, audiences: [], subjects: [] }) ?? "",
    /no required_audiences and no subject_conditions/,
  );
  assert.equal(roleTrustProblem({ issuers: own, audiences: ["aud"], subjects: [] }), undefined);
  assert.match(
    roleTrustProblem({ issuers: github, audiences: ["aud"], subjects: [] }) ?? "",
    /^accepts every GitHub Actions workflow .*e\.g\. repo:org\/app:\*/,
  );
  assert.equal(
    roleTrustProblem({ issuers: github, audiences: ["aud"], subjects: ["repo:o/a:*"] }),
    undefined,
  );
  assert.match(
    roleTrustProblem({ issuers: own, audiences: ["aud"], subjects: ["*", "**"] }) ?? "",
    /subject_conditions match every subject/,
  );
});
