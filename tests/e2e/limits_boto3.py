"""boto3 under a rate limit and a quota, run by limits_boto3_test.ts against a live gateway."""
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ENDPOINT"]


def client(key_id, secret, attempts):
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=Config(retries={"mode": "standard", "max_attempts": attempts}))


# 100 sequential uploads under 5 requests per second, burst 5: SlowDown, retried, completes.
limited = client(os.environ["LIMITED_ID"], os.environ["LIMITED_SECRET"], 10)
retries = 0
for i in range(100):
    r = limited.put_object(Bucket="data", Key=f"up/{i:03d}", Body=b"x" * 100)
    retries += r["ResponseMetadata"]["RetryAttempts"]
assert retries > 0, "the rate was never hit"
keys = limited.list_objects_v2(Bucket="data", Prefix="up/")["KeyCount"]
assert keys == 100, keys
print(f"100 uploads, {retries} retries after SlowDown")

# A quota of 1 MiB a day on one key: the download that crosses it is refused, only for that key.
free = client(os.environ["FREE_ID"], os.environ["FREE_SECRET"], 1)
metered = client(os.environ["METERED_ID"], os.environ["METERED_SECRET"], 1)
body = os.urandom(600 * 1024)
free.put_object(Bucket="data", Key="big", Body=body)
assert metered.get_object(Bucket="data", Key="big")["Body"].read() == body
try:
    metered.get_object(Bucket="data", Key="big")["Body"].read()
    raise AssertionError("the download crossing 1 MiB was served")
except ClientError as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 429, e.response
    assert e.response["Error"]["Code"] == "QuotaExceeded", e.response
    assert "bytes_out_per_day" in e.response["Error"]["Message"], e.response
    assert int(e.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) > 0
assert free.get_object(Bucket="data", Key="big")["Body"].read() == body
assert free.get_object(Bucket="data", Key="big")["Body"].read() == body
print("limits boto3 OK")
