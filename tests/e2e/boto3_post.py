"""boto3's generate_presigned_post + requests against a live gateway (run by boto3_post_test.ts)."""
import hashlib
import os
import urllib.parse
import xml.etree.ElementTree as ET

import boto3
import requests
from botocore.config import Config

ENDPOINT = os.environ["ENDPOINT"]
B = "private-uploads"


def client(key_id, secret, version="s3v4", token=None):
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        aws_session_token=token, config=Config(signature_version=version))


s3 = client(os.environ["DEV_ID"], os.environ["DEV_SECRET"])
v2 = client(os.environ["DEV_ID"], os.environ["DEV_SECRET"], version="s3")
reader = client(os.environ["READER_ID"], os.environ["READER_SECRET"])


def post(form, data=b"hello, form", filename="hello.txt", **kw):
    return requests.post(form["url"], data=form["fields"], files={"file": (filename, data)},
                         allow_redirects=False, **kw)


def code(r):
    return ET.fromstring(r.content).findtext("Code")


# SigV4 (x-amz-signature): stored with the fields' metadata; 204 by default.
form = s3.generate_presigned_post(
    B, "form/hello.txt",
    Fields={"Content-Type": "text/plain", "x-amz-meta-color": "blue"},
    Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-color": "blue"},
                ["content-length-range", 1, 1000]],
    ExpiresIn=60)
assert "x-amz-signature" in form["fields"], form["fields"]
r = post(form)
assert r.status_code == 204, (r.status_code, r.text)
obj = s3.get_object(Bucket=B, Key="form/hello.txt")
assert obj["Body"].read() == b"hello, form"
assert obj["ContentType"] == "text/plain" and obj["Metadata"] == {"color": "blue"}, obj
assert r.headers["ETag"] == obj["ETag"], (r.headers, obj["ETag"])

# success_action_status 201 (PostResponse) and 200.
form = s3.generate_presigned_post(B, "form/201.txt", Fields={"success_action_status": "201"},
                                  Conditions=[{"success_action_status": "201"}])
r = post(form)
assert r.status_code == 201, (r.status_code, r.text)
doc = ET.fromstring(r.content)
assert doc.tag == "PostResponse" and doc.findtext("Bucket") == B, r.text
assert doc.findtext("Key") == "form/201.txt", r.text
assert doc.findtext("ETag") == s3.head_object(Bucket=B, Key="form/201.txt")["ETag"], r.text
assert doc.findtext("Location") == f"{ENDPOINT}/{B}/form/201.txt", r.text
form = s3.generate_presigned_post(B, "form/200.txt", Fields={"success_action_status": "200"},
                                  Conditions=[{"success_action_status": "200"}])
r = post(form)
assert r.status_code == 200 and r.content == b"", (r.status_code, r.text)

# success_action_redirect: 303 with bucket, key and etag; the key from ${filename}.
done = "http://127.0.0.1:9/done"
form = s3.generate_presigned_post(B, "form/${filename}", Fields={"success_action_redirect": done},
                                  Conditions=[["starts-with", "$success_action_redirect", done]])
r = post(form, filename="photo 1.jpg")
assert r.status_code == 303, (r.status_code, r.text)
etag = s3.head_object(Bucket=B, Key="form/photo 1.jpg")["ETag"]
assert r.headers["Location"] == done + "?" + urllib.parse.urlencode(
    {"bucket": B, "key": "form/photo 1.jpg", "etag": etag}, quote_via=urllib.parse.quote), r.headers

# A violated condition, a field no condition covers, an expired policy: 403.
form = s3.generate_presigned_post(B, "form/x", Conditions=[["starts-with", "$key", "only/"]])
r = post(form)
assert r.status_code == 403 and code(r) == "AccessDenied", r.text
assert "Invalid according to Policy: Policy Condition failed" in r.text, r.text
form = s3.generate_presigned_post(B, "form/extra")
form["fields"]["x-amz-meta-sneaky"] = "1"
r = post(form)
assert r.status_code == 403 and "Extra input fields: x-amz-meta-sneaky" in r.text, r.text
form = s3.generate_presigned_post(B, "form/expired", ExpiresIn=-10)
r = post(form)
assert r.status_code == 403 and "Policy expired" in r.text, r.text

# content-length-range: too large, too small.
form = s3.generate_presigned_post(B, "form/sized", Conditions=[["content-length-range", 5, 10]])
r = post(form, data=b"x" * 11)
assert r.status_code == 400 and code(r) == "EntityTooLarge", r.text
r = post(form, data=b"x" * 4)
assert r.status_code == 400 and code(r) == "EntityTooSmall", r.text
assert "form/sized" not in [o["Key"] for o in s3.list_objects_v2(Bucket=B).get("Contents", [])]

# A larger file streams through intact.
big = os.urandom(3 * 1024 * 1024 + 17)
form = s3.generate_presigned_post(B, "form/big.bin", Conditions=[["content-length-range", 0, 8 << 20]])
r = post(form, data=big)
assert r.status_code == 204, (r.status_code, r.text)
got = s3.get_object(Bucket=B, Key="form/big.bin")["Body"].read()
assert hashlib.sha256(got).digest() == hashlib.sha256(big).digest()

# SigV2 (AWSAccessKeyId, signature).
form = v2.generate_presigned_post(B, "form/v2.txt")
assert "signature" in form["fields"] and "AWSAccessKeyId" in form["fields"], form["fields"]
r = post(form, data=b"signed with v2")
assert r.status_code == 204, (r.status_code, r.text)
assert s3.get_object(Bucket=B, Key="form/v2.txt")["Body"].read() == b"signed with v2"
form["fields"]["signature"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
r = post(form)
assert r.status_code == 403 and code(r) == "SignatureDoesNotMatch", r.text

# A key without put_object is refused.
r = post(reader.generate_presigned_post(B, "form/reader.txt"))
assert r.status_code == 403 and code(r) == "AccessDenied", r.text

# Session credentials (x-amz-security-token), both signatures.
token = os.environ.get("SESSION_TOKEN")
if token:
    for version in ["s3v4", "s3"]:
        sess = client(os.environ["SESSION_ID"], os.environ["SESSION_SECRET"], version, token)
        form = sess.generate_presigned_post(B, f"form/session-{version}.txt")
        assert form["fields"]["x-amz-security-token"] == token
        r = post(form, data=version.encode())
        assert r.status_code == 204, (version, r.status_code, r.text)
        assert s3.get_object(Bucket=B, Key=f"form/session-{version}.txt")["Body"].read() == version.encode()
    r = post(sess.generate_presigned_post(B, "elsewhere.txt"))
    assert r.status_code == 403 and code(r) == "AccessDenied", r.text

print("boto3 post suite OK")
