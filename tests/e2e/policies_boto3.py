"""boto3 against a bucket policy (a Deny, an s3:prefix condition, an aws:SourceIp
condition) through nginx. Each client connects from a source address of its
own (127.0.0.x) and may send an X-Forwarded-For of its own; prints one JSON
object: step name -> "ok" or the error code.

Environment: URL (nginx over TLS), CA (its CA file), KEY_ID, KEY_SECRET, BUCKET.
"""

import json
import os

import boto3
import urllib3.util.connection as urllib3_connection
from botocore.config import Config
from botocore.exceptions import ClientError

SOURCE = {"address": None}
_create_connection = urllib3_connection.create_connection


def _bound(address, timeout=None, source_address=None, socket_options=None):
    # Every connection leaves from the address the current client stands at.
    source = (SOURCE["address"], 0) if SOURCE["address"] else source_address
    return _create_connection(address, timeout, source, socket_options)


urllib3_connection.create_connection = _bound


def client(source, forwarded_for=None):
    SOURCE["address"] = source
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["URL"],
        verify=os.environ["CA"],
        region_name="us-east-1",
        aws_access_key_id=os.environ["KEY_ID"],
        aws_secret_access_key=os.environ["KEY_SECRET"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    if forwarded_for:
        def add_header(request, **_):
            request.headers["X-Forwarded-For"] = forwarded_for

        s3.meta.events.register("before-send.s3.*", add_header)
    return s3


def outcome(call):
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]


BUCKET = os.environ["BUCKET"]
results = {}

office = client("127.0.0.2")
for key in ["team/a.txt", "secret/b.txt"]:
    results[f"put {key}"] = outcome(lambda: office.put_object(Bucket=BUCKET, Key=key, Body=b"x"))
results["get team/a.txt"] = outcome(lambda: office.get_object(Bucket=BUCKET, Key="team/a.txt"))
results["get secret/b.txt"] = outcome(lambda: office.get_object(Bucket=BUCKET, Key="secret/b.txt"))
results["list team/"] = outcome(lambda: office.list_objects_v2(Bucket=BUCKET, Prefix="team/"))
results["list other/"] = outcome(lambda: office.list_objects_v2(Bucket=BUCKET, Prefix="other/"))
results["list all"] = outcome(lambda: office.list_objects_v2(Bucket=BUCKET))

# The same key from another address on the loopback network.
elsewhere = client("127.0.0.3")
results["elsewhere get team/a.txt"] = outcome(
    lambda: elsewhere.get_object(Bucket=BUCKET, Key="team/a.txt"))
# Its own X-Forwarded-For claim changes nothing: 127.0.0.3 is no trusted proxy.
spoofing = client("127.0.0.3", forwarded_for="127.0.0.2")
results["spoofed get team/a.txt"] = outcome(
    lambda: spoofing.get_object(Bucket=BUCKET, Key="team/a.txt"))

# 127.0.0.1 is a trusted proxy: the IPv6 client it names is the one conditions see.
v6_office = client("127.0.0.1", forwarded_for="2001:db8::5")
results["v6 office get team/a.txt"] = outcome(
    lambda: v6_office.get_object(Bucket=BUCKET, Key="team/a.txt"))
v6_elsewhere = client("127.0.0.1", forwarded_for="2001:db9::1")
results["v6 elsewhere get team/a.txt"] = outcome(
    lambda: v6_elsewhere.get_object(Bucket=BUCKET, Key="team/a.txt"))

print(json.dumps(results))
