"""boto3's `dynamodbstreams` client (a client we did not write) against the
DynamoDB Streams that `dynamo-local serve` serves.

Usage: python3 boto3_streams.py http://127.0.0.1:PORT
Exits non-zero on the first check that fails; prints each check.
"""

import sys
import time

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
settings = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
)
ddb = boto3.client("dynamodb", **settings)
streams = boto3.client("dynamodbstreams", **settings)
checks = 0


def check(description, condition):
    global checks
    if not condition:
        print(f"FAILED: {description}")
        sys.exit(1)
    checks += 1
    print(f"ok: {description}")


def error_of(call, **arguments):
    """The error code and message `call` raises (None if it succeeds)."""
    try:
        call(**arguments)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None


def create(table, view_type):
    spec = {"StreamEnabled": True, "StreamViewType": view_type} if view_type else {"StreamEnabled": False}
    ddb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "user", "KeyType": "HASH"},
            {"AttributeName": "seq", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "user", "AttributeType": "S"},
            {"AttributeName": "seq", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=spec,
    )
    return ddb.describe_table(TableName=table)["Table"]


def shard_of(stream_arn):
    description = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    return description, description["Shards"][0]["ShardId"]


def read(stream_arn, until=None, timeout=10.0):
    """Every record from the trim horizon; with `until`, polls until a
    record satisfies it (or `timeout` seconds pass)."""
    _, shard_id = shard_of(stream_arn)
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = []
    deadline = time.monotonic() + timeout
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        records.extend(page["Records"])
        iterator = page.get("NextShardIterator")
        if until is None and not page["Records"]:
            break
        if until is not None and any(until(r) for r in records):
            break
        if until is not None and not page["Records"]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    return records


def key(user, seq):
    return {"user": {"S": user}, "seq": {"N": str(seq)}}


table = create("events", "NEW_AND_OLD_IMAGES")
arn = table["LatestStreamArn"]
check("CreateTable with a StreamSpecification gives the table a stream",
      table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
      and arn.startswith("arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/")
      and arn.endswith("/" + table["LatestStreamLabel"]))

listed = streams.list_streams(TableName="events")["Streams"]
check("ListStreams names the table's stream",
      [(s["StreamArn"], s["TableName"]) for s in listed] == [(arn, "events")])

description, shard_id = shard_of(arn)
check("DescribeStream: enabled, its view type, the table's key schema, one open shard",
      description["StreamStatus"] == "ENABLED"
      and description["StreamViewType"] == "NEW_AND_OLD_IMAGES"
      and description["TableName"] == "events"
      and description["KeySchema"] == [{"AttributeName": "user", "KeyType": "HASH"},
                                       {"AttributeName": "seq", "KeyType": "RANGE"}]
      and shard_id.startswith("shardId-")
      and "EndingSequenceNumber" not in description["Shards"][0]["SequenceNumberRange"])

ddb.put_item(TableName="events", Item={**key("ada", 1), "kind": {"S": "login"}})
ddb.put_item(TableName="events", Item={**key("ada", 1), "kind": {"S": "login"}})  # no change: no record
ddb.update_item(TableName="events", Key=key("ada", 1), UpdateExpression="SET kind = :k",
                ExpressionAttributeValues={":k": {"S": "logout"}})
ddb.delete_item(TableName="events", Key=key("ada", 1))

records = read(arn)
check("GetRecords reads INSERT, MODIFY, REMOVE in commit order",
      [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"])
check("every record has the item's Keys",
      all(r["dynamodb"]["Keys"] == key("ada", 1) for r in records))
check("the images are the item before and after each change",
      [(r["dynamodb"].get("OldImage", {}).get("kind"), r["dynamodb"].get("NewImage", {}).get("kind"))
       for r in records]
      == [(None, {"S": "login"}), ({"S": "login"}, {"S": "logout"}), ({"S": "logout"}, None)])
numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
check("sequence numbers grow and event ids differ",
      numbers == sorted(numbers) and len(set(numbers)) == 3
      and len({r["eventID"] for r in records}) == 3)
check("records say where they come from and carry no user identity",
      all(r["eventSource"] == "aws:dynamodb" and r["awsRegion"] == "us-east-1"
          and r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
          and r["dynamodb"]["SizeBytes"] > 0
          and r["dynamodb"]["ApproximateCreationDateTime"].year >= 2024
          and "userIdentity" not in r for r in records))

# A TTL deletion: the server's sweeper deletes an item whose time has passed.
ddb.update_time_to_live(TableName="events",
                        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
ddb.put_item(TableName="events", Item={**key("bob", 7), "expires": {"N": str(int(time.time()) - 60)}})
records = read(arn, until=lambda r: r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"] == key("bob", 7))
expired = [r for r in records if r["dynamodb"]["Keys"] == key("bob", 7)]
check("a TTL deletion is a REMOVE by the service identity, with the old image",
      [r["eventName"] for r in expired] == ["INSERT", "REMOVE"]
      and expired[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
      and expired[1]["dynamodb"]["OldImage"]["expires"] == expired[0]["dynamodb"]["NewImage"]["expires"]
      and "userIdentity" not in expired[0])

keys_only = create("logins", "KEYS_ONLY")
ddb.put_item(TableName="logins", Item={**key("cy", 1), "kind": {"S": "login"}})
records = read(keys_only["LatestStreamArn"])
check("a KEYS_ONLY stream's records carry the keys and no image",
      [r["eventName"] for r in records] == ["INSERT"]
      and records[0]["dynamodb"]["Keys"] == key("cy", 1)
      and "NewImage" not in records[0]["dynamodb"] and "OldImage" not in records[0]["dynamodb"])

# Errors: DynamoDB's types and messages through boto3.
check("an unknown iterator is a ValidationException",
      error_of(streams.get_records, ShardIterator="not-an-iterator")
      == ("ValidationException", "Invalid ShardIterator"))
unknown = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000"
check("an unknown stream is a ResourceNotFoundException",
      error_of(streams.describe_stream, StreamArn=unknown)
      == ("ResourceNotFoundException", f"Requested resource not found: Stream: {unknown} not found"))
code, message = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard_id,
                         ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="0" * 21)
check("a position before the trim horizon is a TrimmedDataAccessException",
      code == "TrimmedDataAccessException"
      and message.startswith("Attempted to access data that has been trimmed: sequence number "))

ddb.update_table(TableName="events", StreamSpecification={"StreamEnabled": False})
description, _ = shard_of(arn)
records = read(arn)
check("disabling the stream closes its shard, which still reads to its end",
      description["StreamStatus"] == "DISABLED"
      and "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
      and [r["eventName"] for r in records][-1] == "REMOVE")

print(f"boto3 streams: {checks} passed, 0 failed")
