"""boto3 against bucketgate's STS session policies. MODE=narrow: a session
with Policy= reads what the policy allows and nothing else its role allows; a
malformed or too long Policy is refused. MODE=mint: credentials as JSON.
MODE=get: one GetObject with CREDENTIALS, its outcome. Prints one JSON object."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

GW = os.environ["GATEWAY"]
ROLE = "arn:aws:iam::123456789012:role/ci-deployer"
CFG = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
READ_RELEASES = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "ReadReleases",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::private-uploads/releases/*",
    }],
})


def code(fn):
    try:
        fn()
        return "OK"
    except ClientError as e:
        return e.response["Error"]["Code"]


def assume(**extra):
    sts = boto3.client("sts", endpoint_url=GW, region_name="us-east-1")
    return sts.assume_role_with_web_identity(
        RoleArn=ROLE, RoleSessionName="boto3-session", WebIdentityToken=os.environ["TOKEN"], **extra
    )["Credentials"]


def s3_of(c):
    return boto3.client(
        "s3",
        endpoint_url=GW,
        region_name="us-east-1",
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
        config=CFG,
    )


def narrow():
    out = {}
    full = s3_of(assume())
    full.put_object(Bucket="private-uploads", Key="releases/app.tgz", Body=b"release bits")
    narrowed = s3_of(assume(Policy=READ_RELEASES))
    out["get"] = narrowed.get_object(Bucket="private-uploads", Key="releases/app.tgz")["Body"].read().decode()
    out["put"] = code(lambda: narrowed.put_object(Bucket="private-uploads", Key="releases/x", Body=b"no"))
    out["list"] = code(lambda: narrowed.list_objects_v2(Bucket="private-uploads", Prefix="releases/"))
    out["put_without_policy"] = code(
        lambda: full.put_object(Bucket="private-uploads", Key="releases/y", Body=b"yes")
    )
    out["malformed"] = code(lambda: assume(Policy="{not json"))
    out["too_long"] = code(lambda: assume(Policy=READ_RELEASES + " " * 2048))
    return out


def mint():
    c = assume()
    return {"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}


def get():
    c = json.loads(os.environ["CREDENTIALS"])
    s3 = s3_of({"AccessKeyId": c["id"], "SecretAccessKey": c["secret"], "SessionToken": c["token"]})
    return {"get": code(lambda: s3.get_object(Bucket="private-uploads", Key="releases/app.tgz"))}


print(json.dumps({"narrow": narrow, "mint": mint, "get": get}[os.environ["MODE"]]()))
