"""boto3 against bucketgate's STS: AssumeRoleWithWebIdentity by hand and through
boto3's built-in web-identity provider, then scoped S3 access with the minted
credentials. Prints one JSON object with what happened."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

GW = os.environ["GATEWAY"]
ROLE = "arn:aws:iam::123456789012:role/ci-deployer"
CFG = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
out = {}


def code(fn):
    try:
        fn()
        return "OK"
    except ClientError as e:
        return e.response["Error"]["Code"]


sts = boto3.client("sts", endpoint_url=GW, region_name="us-east-1")
r = sts.assume_role_with_web_identity(
    RoleArn=ROLE, RoleSessionName="boto3-e2e", WebIdentityToken=os.environ["TOKEN"], DurationSeconds=900
)
c = r["Credentials"]
out["subject"] = r["SubjectFromWebIdentityToken"]
out["provider"] = r["Provider"]
out["expiration"] = c["Expiration"].isoformat()
out["credentials"] = {"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}
s3 = boto3.client(
    "s3",
    endpoint_url=GW,
    region_name="us-east-1",
    aws_access_key_id=c["AccessKeyId"],
    aws_secret_access_key=c["SecretAccessKey"],
    aws_session_token=c["SessionToken"],
    config=CFG,
)
s3.put_object(Bucket="private-uploads", Key="releases/app.tgz", Body=b"release bits")
out["get"] = s3.get_object(Bucket="private-uploads", Key="releases/app.tgz")["Body"].read().decode()
listed = s3.list_objects_v2(Bucket="private-uploads", Prefix="releases/")
out["listed"] = [o["Key"] for o in listed.get("Contents", [])]
out["put_outside"] = code(lambda: s3.put_object(Bucket="private-uploads", Key="secrets/x", Body=b"no"))
out["get_other_bucket"] = code(lambda: s3.get_object(Bucket="readonly", Key="x"))
out["wrong_audience"] = code(
    lambda: sts.assume_role_with_web_identity(
        RoleArn=ROLE, RoleSessionName="bad", WebIdentityToken=os.environ["WRONG_AUDIENCE_TOKEN"]
    )
)
out["unknown_role"] = code(
    lambda: sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::1:role/nope", RoleSessionName="bad", WebIdentityToken=os.environ["TOKEN"]
    )
)

# boto3's own provider: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, STS endpoint overridden.
os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"] = os.environ["TOKEN_FILE"]
os.environ["AWS_ROLE_ARN"] = ROLE
os.environ["AWS_ROLE_SESSION_NAME"] = "provider-e2e"
os.environ["AWS_ENDPOINT_URL_STS"] = GW
session = boto3.Session(region_name="us-east-1")
out["provider_method"] = session.get_credentials().method
s3p = session.client("s3", endpoint_url=GW, config=CFG)
s3p.put_object(Bucket="private-uploads", Key="releases/provider.txt", Body=b"from the provider")
out["provider_get"] = s3p.get_object(Bucket="private-uploads", Key="releases/provider.txt")["Body"].read().decode()
print(json.dumps(out))
