"""boto3 end-to-end suite, run by boto3_test.ts against a live gateway."""
import hashlib
import os
import time
import urllib.error
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ENDPOINT"]
DATA = os.environ["DATA_DIR"]
# Where the gateway's buckets really live: a directory per bucket (fs), or an
# S3 endpoint with buckets of the same names (s3 on moto).
STORE = os.environ.get("STORE_ENDPOINT")


def client(key_id, secret):
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret)


def stored(bucket, key):
    """The object's bytes as the backend stores them, or None."""
    if not STORE:
        p = os.path.join(DATA, bucket, key)
        return open(p, "rb").read() if os.path.exists(p) else None
    store = boto3.client("s3", endpoint_url=STORE, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")
    try:
        return store.get_object(Bucket=bucket, Key=key)["Body"].read()
    except store.exceptions.NoSuchKey:
        return None


s3 = client(os.environ["DEV_ID"], os.environ["DEV_SECRET"])
reader = client(os.environ["READER_ID"], os.environ["READER_SECRET"])
B = "private-uploads"

# Odd keys round-trip byte for byte, also on disk.
for key in ["k/a b", "k/é+%", "k/x~y*z", "k/q?x=1&y"]:
    s3.put_object(Bucket=B, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=B, Key=key)["Body"].read() == key.encode(), key
    assert stored(B, key) == key.encode(), key

# Range and head.
s3.put_object(Bucket=B, Key="r.txt", Body=b"0123456789", ContentType="text/plain", Metadata={"color": "blue"})
assert s3.get_object(Bucket=B, Key="r.txt", Range="bytes=2-4")["Body"].read() == b"234"
head = s3.head_object(Bucket=B, Key="r.txt")
assert head["ContentLength"] == 10 and head["Metadata"] == {"color": "blue"}, head

# Multipart transfers both ways.
big = os.urandom(1024 * 1024) * 20
path = os.path.join(DATA, "big.bin")
open(path, "wb").write(big)
cfg = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
s3.upload_file(path, B, "big.bin", Config=cfg)
s3.download_file(B, "big.bin", path + ".down", Config=cfg)
assert hashlib.sha256(open(path + ".down", "rb").read()).digest() == hashlib.sha256(big).digest()
assert hashlib.sha256(stored(B, "big.bin")).digest() == hashlib.sha256(big).digest()
assert s3.head_object(Bucket=B, Key="big.bin")["ETag"].endswith('-3"')

# Paginators over a small page size.
keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
    Bucket=B, PaginationConfig={"PageSize": 2}) for o in page.get("Contents", [])]
assert keys == sorted(keys, key=lambda k: k.encode()), keys
assert len(keys) == 6, keys
v1 = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
    Bucket=B, PaginationConfig={"PageSize": 2}) for o in page.get("Contents", [])]
assert v1 == keys, v1

# Presigned GET and PUT (boto3 signs these with SigV2 for custom endpoints).
url = s3.generate_presigned_url("get_object", Params={"Bucket": B, "Key": "r.txt"}, ExpiresIn=60)
assert urllib.request.urlopen(url).read() == b"0123456789"
purl = s3.generate_presigned_url("put_object", Params={"Bucket": B, "Key": "presigned.txt"}, ExpiresIn=60)
urllib.request.urlopen(urllib.request.Request(purl, data=b"via presigned put", method="PUT",
                                              headers={"Content-Type": ""}))
assert s3.get_object(Bucket=B, Key="presigned.txt")["Body"].read() == b"via presigned put"

# An already expired presigned URL (SigV2, boto3's default for custom endpoints,
# and SigV4) is 403 AccessDenied "Request has expired" for every method, and
# the object is untouched.
s3.put_object(Bucket=B, Key="kept.txt", Body=b"kept")
s3v2 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                    aws_access_key_id=os.environ["DEV_ID"], aws_secret_access_key=os.environ["DEV_SECRET"],
                    config=boto3.session.Config(signature_version="s3"))
s3v4 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                    aws_access_key_id=os.environ["DEV_ID"], aws_secret_access_key=os.environ["DEV_SECRET"],
                    config=boto3.session.Config(signature_version="s3v4"))
for signer in (s3v2, s3v4):
    for op, method in [("put_object", "PUT"), ("get_object", "GET"), ("head_object", "HEAD"),
                       ("delete_object", "DELETE")]:
        url = signer.generate_presigned_url(op, Params={"Bucket": B, "Key": "kept.txt"}, ExpiresIn=-1000,
                                            HttpMethod=method)
        data = b"overwritten" if method == "PUT" else None
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=data, method=method,
                                                          headers={"Content-Type": ""}))
            raise AssertionError("expired presigned %s should be refused" % method)
        except urllib.error.HTTPError as e:
            body = e.read()
            assert e.code == 403, (method, url, e.code, body)
            if method != "HEAD":
                assert b"<Code>AccessDenied</Code>" in body and b"Request has expired" in body, body
assert stored(B, "kept.txt") == b"kept"
s3.delete_object(Bucket=B, Key="kept.txt")

# Errors clients act on.
for call, code in [
    (lambda: s3.get_object(Bucket=B, Key="missing"), "NoSuchKey"),
    (lambda: s3.get_object(Bucket="no-such-bucket", Key="x"), "NoSuchBucket"),
    (lambda: reader.put_object(Bucket=B, Key="denied", Body=b"x"), "AccessDenied"),
    (lambda: client("AKIDNOSUCHKEY0000001", "whatever-secret").list_objects_v2(Bucket=B), "InvalidAccessKeyId"),
    (lambda: client(os.environ["DEV_ID"], "wrong-secret-123").list_objects_v2(Bucket=B), "SignatureDoesNotMatch"),
]:
    try:
        call()
        raise AssertionError("expected " + code)
    except ClientError as e:
        assert e.response["Error"]["Code"] == code, (code, e.response["Error"])
assert stored(B, "denied") is None

# Copy, delete_objects, and the resource API.
s3.copy_object(Bucket="public-data", Key="copied.txt", CopySource={"Bucket": B, "Key": "r.txt"})
res = boto3.resource("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                     aws_access_key_id=os.environ["DEV_ID"], aws_secret_access_key=os.environ["DEV_SECRET"])
assert res.Object("public-data", "copied.txt").get()["Body"].read() == b"0123456789"
deleted = s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": k} for k in keys + ["presigned.txt"]]})
assert len(deleted["Deleted"]) == 7 and not deleted.get("Errors"), deleted
assert [o.key for o in res.Bucket(B).objects.all()] == []
# Empty bodies: botocore sends Expect: 100-continue, gets no 100 (nothing to
# send), and must not then stall on the next request of that connection.
started = time.time()
for i in range(3):
    s3.put_object(Bucket=B, Key=f"empty/{i}", Body=b"")
    s3.put_object(Bucket=B, Key=f"full/{i}", Body=b"x")
elapsed = time.time() - started
assert elapsed < 10, f"empty uploads stalled the connection: {elapsed:.1f} s"
assert s3.head_object(Bucket=B, Key="empty/0")["ContentLength"] == 0

# encoding-type=url (boto3 asks for it itself and decodes): a control character
# in a prefix comes back as sent, in V2 and in V1's keys, markers and prefixes.
# (A tab: moto answers 404 to any key holding a newline.)
odd = "enc/tab\tx %+/"
for k in [odd + "a", odd + "b", odd + "sub/c"]:
    s3.put_object(Bucket=B, Key=k, Body=b"x")
v2 = s3.list_objects_v2(Bucket=B, Prefix=odd, Delimiter="/", StartAfter=odd + "0")
assert v2["Prefix"] == odd and v2["StartAfter"] == odd + "0", v2
assert [o["Key"] for o in v2["Contents"]] == [odd + "a", odd + "b"], v2
assert [p["Prefix"] for p in v2["CommonPrefixes"]] == [odd + "sub/"], v2
v1 = s3.list_objects(Bucket=B, Prefix=odd, Delimiter="/", Marker=odd + "a", MaxKeys=1)
assert v1["Marker"] == odd + "a" and v1["NextMarker"] == odd + "b", v1
assert [o["Key"] for o in v1["Contents"]] == [odd + "b"], v1
# (boto3 leaves V1's Prefix encoded: botocore decodes it for V2 only.)
s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": odd + k} for k in ["a", "b", "sub/c"]]})

# Folder markers and keys that are prefixes of other keys (issue 25): each
# round-trips and lists as S3 lists it.
F = ["f/", "f/a", "f/a/", "f/a/b", "f/a-b", "f/a0", "f/d/e/"]
for key in F:
    s3.put_object(Bucket=B, Key=key, Body=("body of " + key).encode())
for key in F:
    assert s3.get_object(Bucket=B, Key=key)["Body"].read() == ("body of " + key).encode(), key
    assert s3.head_object(Bucket=B, Key=key)["ContentLength"] == len("body of " + key), key
page = s3.list_objects_v2(Bucket=B, Prefix="f/")
assert [o["Key"] for o in page["Contents"]] == ["f/", "f/a", "f/a-b", "f/a/", "f/a/b", "f/a0", "f/d/e/"], page
page = s3.list_objects_v2(Bucket=B, Prefix="f/", Delimiter="/")
assert [o["Key"] for o in page["Contents"]] == ["f/", "f/a", "f/a-b", "f/a0"], page
assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["f/a/", "f/d/"], page
page = s3.list_objects_v2(Bucket=B, Prefix="f/a/", Delimiter="/")
assert [o["Key"] for o in page["Contents"]] == ["f/a/", "f/a/b"], page
s3.delete_object(Bucket=B, Key="f/a")
assert s3.get_object(Bucket=B, Key="f/a/b")["Body"].read() == b"body of f/a/b"
s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": k} for k in F]})
assert "Contents" not in s3.list_objects_v2(Bucket=B, Prefix="f/")

print("boto3 suite OK")
