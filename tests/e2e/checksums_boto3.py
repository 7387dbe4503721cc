"""boto3 naming CRC32 full-object, and GetObjectAttributes; run by checksums_test.ts (issue 27)."""
import base64
import os
import zlib

import boto3

ENDPOINT = os.environ["ENDPOINT"]
# Over an s3 backend the values are the store's (moto's quirks): checked loosely.
STRICT = not os.environ.get("STORE_ENDPOINT")
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                  aws_access_key_id=os.environ["DEV_ID"],
                  aws_secret_access_key=os.environ["DEV_SECRET"])
B = "private-uploads"
K = "checksums/full-object.bin"

p1 = bytes((i * 7) % 251 for i in range(5 * 1024 * 1024))
p2 = b"tail" * 1000


def crc32(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


up = s3.create_multipart_upload(Bucket=B, Key=K, ChecksumAlgorithm="CRC32",
                                ChecksumType="FULL_OBJECT")
assert up.get("ChecksumAlgorithm") == "CRC32", up
assert up.get("ChecksumType") == "FULL_OBJECT", up
parts = []
for n, body in ((1, p1), (2, p2)):
    r = s3.upload_part(Bucket=B, Key=K, UploadId=up["UploadId"], PartNumber=n, Body=body,
                       ChecksumAlgorithm="CRC32")
    assert r.get("ChecksumCRC32") == crc32(body), r
    parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
whole = crc32(p1 + p2)
try:
    s3.complete_multipart_upload(Bucket=B, Key=K, UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts}, ChecksumCRC32=crc32(p2),
                                 ChecksumType="FULL_OBJECT")
    assert not STRICT, "a wrong full-object checksum must be refused"
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "BadDigest", e.response
done = s3.complete_multipart_upload(Bucket=B, Key=K, UploadId=up["UploadId"],
                                    MultipartUpload={"Parts": parts}, ChecksumCRC32=whole,
                                    ChecksumType="FULL_OBJECT")
assert done.get("ChecksumCRC32") == whole, done
assert done.get("ChecksumType") == "FULL_OBJECT", done
head = s3.head_object(Bucket=B, Key=K, ChecksumMode="ENABLED")
assert head.get("ChecksumCRC32") == whole, head
assert head.get("ChecksumType") == "FULL_OBJECT", head
got = s3.get_object(Bucket=B, Key=K, ChecksumMode="ENABLED")
assert got["Body"].read() == p1 + p2
assert got.get("ChecksumCRC32") == whole, got

attrs = s3.get_object_attributes(Bucket=B, Key=K, MaxParts=1, ObjectAttributes=[
    "ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
assert attrs["ObjectSize"] == len(p1) + len(p2), attrs
assert attrs["ETag"] == done["ETag"].strip('"'), attrs
assert attrs["Checksum"]["ChecksumCRC32"] == whole, attrs
assert attrs["ObjectParts"]["TotalPartsCount"] == 2, attrs
# moto keeps no part checksums: over s3 the parts are counted, not listed (as S3 without them).
if STRICT:
    first = attrs["ObjectParts"]["Parts"]
    assert first == [{"PartNumber": 1, "Size": len(p1), "ChecksumCRC32": crc32(p1)}], attrs
    assert attrs["ObjectParts"]["IsTruncated"] is True, attrs
    rest = s3.get_object_attributes(Bucket=B, Key=K, PartNumberMarker=1,
                                    ObjectAttributes=["ObjectParts"])
    parts = [(p["PartNumber"], p["Size"]) for p in rest["ObjectParts"]["Parts"]]
    assert parts == [(2, len(p2))], rest
print("checksums suite OK")
