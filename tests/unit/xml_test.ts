import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import {
  el,
  parseWith,
  parseXml,
  S3_XMLNS,
  XML_DECLARATION,
  xmlEscape,
  xmlText,
} from "../../src/xml.ts";

Deno.test("xmlEscape() escapes the five markup characters", () => {
  assert.equal(
    xmlEscape(`<a href="x">&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;",
  );
});

Deno.test("xmlEscape() turns C0 controls into character references, keeping tab, LF and CR", () => {
  assert.equal(xmlEscape("\u0000\u0008\u000B\u000C\u001F"), "&#x0;&#x8;&#xb;&#xc;&#x1f;");
  assert.equal(xmlEscape("a\tb\nc\rd"), "a\tb\nc\rd");
});

Deno.test("xmlEscape() returns plain text unchanged, unicode included", () => {
  const s = "plain/key é 😀 \u007f";
  assert.equal(xmlEscape(s), s);
});

Deno.test("el() escapes strings and prints numbers and booleans", () => {
  assert.equal(el("Key", "a&b"), "<Key>a&amp;b</Key>");
  assert.equal(el("Size", 0), "<Size>0</Size>");
  assert.equal(el("IsTruncated", false), "<IsTruncated>false</IsTruncated>");
  assert.equal(el("Key", ""), "<Key></Key>");
});

Deno.test("XML_DECLARATION and S3_XMLNS are S3's", () => {
  assert.equal(XML_DECLARATION, '<?xml version="1.0" encoding="UTF-8"?>\n');
  assert.equal(S3_XMLNS, "http://s3.amazonaws.com/doc/2006-03-01/");
});

Deno.test("parseXml() reads text untrimmed, drops namespaces and attributes", () => {
  assert.deepEqual(
    parseXml(
      '<?xml version="1.0"?><s3:Delete xmlns:s3="urn:x"><s3:Quiet a="1"> true </s3:Quiet></s3:Delete>',
    ),
    { Delete: { Quiet: " true " } },
  );
});

Deno.test("parseXml() always gives Object and Part as arrays", () => {
  assert.deepEqual(parseXml("<Delete><Object><Key>a</Key></Object></Delete>"), {
    Delete: { Object: [{ Key: "a" }] },
  });
  assert.deepEqual(parseXml("<C><Part><PartNumber>01</PartNumber></Part></C>"), {
    C: { Part: [{ PartNumber: "01" }] },
  });
});

Deno.test("parseXml() leaves entity references unexpanded", () => {
  assert.deepEqual(parseXml("<K>a&amp;b&#x41;</K>"), { K: "a&amp;b&#x41;" });
});

Deno.test("parseXml() is undefined for DTDs, entity declarations and malformed XML", () => {
  for (
    const text of [
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
      "<!doctype a><a/>",
      '<a><!ENTITY x "y"></a>',
      "<a><b></a>",
      "<a>",
    ]
  ) {
    assert.equal(parseXml(text), undefined, text);
  }
});

Deno.test("parseWith() uses the given parser and refuses DTDs too", () => {
  const p = new XMLParser({ parseTagValue: true });
  assert.deepEqual(parseWith(p, "<n>5</n>"), { n: 5 });
  assert.equal(parseWith(p, "<!DOCTYPE n><n>5</n>"), undefined);
});

Deno.test("xmlText() decodes predefined, decimal and hex references", () => {
  assert.equal(xmlText("&lt;&gt;&amp;&quot;&apos;"), `<>&"'`);
  assert.equal(xmlText("&#65;&#x42;&#x1F600;"), "AB😀");
  assert.equal(xmlText("no refs"), "no refs");
});

Deno.test("xmlText() is undefined for unknown names, bare ampersands and impossible code points", () => {
  for (const raw of ["&nbsp;", "a & b", "&#xD800;", "&#x110000;", "&#;", "&amp"]) {
    assert.equal(xmlText(raw), undefined, raw);
  }
});
