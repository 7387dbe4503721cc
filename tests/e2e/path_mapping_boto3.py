"""boto3 at the account level of a path-mapped namespace (`acme` over acme--data and acme--logs).

MODE=account: path style; delete_objects, list_multipart_uploads and a presigned POST form
(sent by requests) on `acme`.
MODE=vhost: virtual-hosted style (`acme.<DOMAIN>`, resolved to 127.0.0.1 by a patched
getaddrinfo, the network being loopback only): get, put, listings, delete_objects,
list_multipart_uploads, a POST form and a presigned GET, each sent to the bucket's host.
"""
import os
import socket
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

MODE = os.environ["MODE"]
DOMAIN = os.environ.get("DOMAIN", "")
PORT = os.environ["PORT"]

if MODE == "vhost":
    real_getaddrinfo = socket.getaddrinfo

    def loopback(host, *args, **kwargs):
        if isinstance(host, str) and (host == DOMAIN or host.endswith("." + DOMAIN)):
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = loopback
    endpoint = f"http://{DOMAIN}:{PORT}"
    style = "virtual"
else:
    endpoint = os.environ["ENDPOINT"]
    style = "path"

s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id=os.environ["DEV_ID"], aws_secret_access_key=os.environ["DEV_SECRET"],
    config=Config(s3={"addressing_style": style}, retries={"max_attempts": 1}))
sent = []
s3.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))


def delete_objects():
    s3.put_object(Bucket="acme", Key="data/del/1.txt", Body=b"1")
    s3.put_object(Bucket="acme", Key="logs/del/2.txt", Body=b"2")
    r = s3.delete_objects(Bucket="acme", Delete={"Objects": [
        {"Key": "data/del/1.txt"}, {"Key": "logs/del/2.txt"}, {"Key": "unknown/x"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["data/del/1.txt", "logs/del/2.txt"], r
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("unknown/x", "NoSuchBucket")], r
    left = s3.list_objects_v2(Bucket="acme", Prefix="data/del/")
    assert left["KeyCount"] == 0, left
    quiet = s3.delete_objects(Bucket="acme", Delete={"Quiet": True, "Objects": [{"Key": "data/file.txt"}]})
    assert "Deleted" not in quiet and "Errors" not in quiet, quiet


def list_multipart_uploads():
    b = s3.create_multipart_upload(Bucket="acme", Key="logs/mp/b.bin")["UploadId"]
    a = s3.create_multipart_upload(Bucket="acme", Key="data/mp/a.bin")["UploadId"]
    a2 = s3.create_multipart_upload(Bucket="acme", Key="data/mp/a.bin")["UploadId"]
    r = s3.list_multipart_uploads(Bucket="acme")
    assert r["Bucket"] == "acme", r
    listed = [(u["Key"], u["UploadId"]) for u in r["Uploads"]]
    assert sorted(listed) == sorted([("data/mp/a.bin", a), ("data/mp/a.bin", a2), ("logs/mp/b.bin", b)]), r
    assert [k for k, _ in listed] == ["data/mp/a.bin", "data/mp/a.bin", "logs/mp/b.bin"], r
    paged = []
    for page in s3.get_paginator("list_multipart_uploads").paginate(
            Bucket="acme", PaginationConfig={"PageSize": 1}):
        paged += [(u["Key"], u["UploadId"]) for u in page.get("Uploads", [])]
    assert paged == listed, paged
    logs = s3.list_multipart_uploads(Bucket="acme", Prefix="logs/")
    assert [u["Key"] for u in logs["Uploads"]] == ["logs/mp/b.bin"], logs
    top = s3.list_multipart_uploads(Bucket="acme", Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["data/", "logs/"], top
    # The ids listed complete and abort at /acme/<key>.
    part = s3.upload_part(Bucket="acme", Key="data/mp/a.bin", UploadId=a, PartNumber=1, Body=b"x" * 10)
    done = s3.complete_multipart_upload(
        Bucket="acme", Key="data/mp/a.bin", UploadId=a,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["Bucket"] == "acme" and done["Key"] == "data/mp/a.bin", done
    s3.abort_multipart_upload(Bucket="acme", Key="data/mp/a.bin", UploadId=a2)
    s3.abort_multipart_upload(Bucket="acme", Key="logs/mp/b.bin", UploadId=b)
    assert s3.list_multipart_uploads(Bucket="acme").get("Uploads", []) == []
    assert s3.get_object(Bucket="acme", Key="data/mp/a.bin")["Body"].read() == b"x" * 10


def post_form():
    import xml.etree.ElementTree as ET

    import requests
    form = s3.generate_presigned_post("acme", "data/posted.txt", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}])
    r = requests.post(form["url"], data=form["fields"], files={"file": ("p.txt", b"posted")},
                      allow_redirects=False)
    assert r.status_code == 201, (r.status_code, r.text)
    doc = ET.fromstring(r.content)
    assert doc.findtext("Bucket") == "acme" and doc.findtext("Key") == "data/posted.txt", r.text
    assert doc.findtext("Location") == form["url"].rstrip("/") + "/data/posted.txt", (form["url"], r.text)
    assert s3.get_object(Bucket="acme", Key="data/posted.txt")["Body"].read() == b"posted"


def vhost_basics():
    assert s3.get_object(Bucket="acme", Key="data/file.txt")["Body"].read() == b"file"
    s3.put_object(Bucket="acme", Key="logs/v.txt", Body=b"vhost")
    top = s3.list_objects_v2(Bucket="acme", Delimiter="/")
    assert top["Name"] == "acme", top
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["data/", "logs/"], top
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="acme")["Contents"]]
    assert keys == ["data/file.txt", "data/sub/a.txt", "data/sub/b.txt", "logs/2026/01.log",
                    "logs/v.txt"], keys
    sub = s3.list_objects_v2(Bucket="acme", Prefix="data/sub/")
    assert [o["Key"] for o in sub["Contents"]] == ["data/sub/a.txt", "data/sub/b.txt"], sub
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "acme", "Key": "data/sub/a.txt"})
    assert url.startswith(f"http://acme.{DOMAIN}:{PORT}/data/sub/a.txt?"), url
    with urllib.request.urlopen(url) as res:
        assert res.read() == b"a"
    # Signed for the mapped target (acme--data.<domain>/sub/a.txt), sent as the client's: refused.
    mapped = s3.generate_presigned_url("get_object", Params={"Bucket": "acme--data", "Key": "sub/a.txt"})
    assert mapped.startswith(f"http://acme--data.{DOMAIN}:{PORT}/sub/a.txt?"), mapped
    moved = mapped.replace(f"acme--data.{DOMAIN}:{PORT}/sub/", f"acme.{DOMAIN}:{PORT}/data/sub/")
    try:
        urllib.request.urlopen(moved)
        raise SystemExit("a signature over the mapped target was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403 and b"SignatureDoesNotMatch" in e.read(), e


if MODE == "vhost":
    vhost_basics()
delete_objects()
list_multipart_uploads()
post_form()
if MODE == "vhost":
    wrong = [u for u in sent if not u.startswith(f"http://acme.{DOMAIN}:{PORT}/")]
    assert not wrong, wrong
print(f"boto3 mapped {MODE} OK ({len(sent)} requests)")
