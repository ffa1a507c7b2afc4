"""boto3 (a client we did not write) against `dynamo-local serve`.

Usage: python3 boto3_compat.py http://127.0.0.1:PORT
Exits non-zero on the first check that fails; prints each check.
"""

import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
ddb = boto3.client(
    "dynamodb",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
)
checks = 0


def check(description, condition):
    global checks
    if not condition:
        print(f"FAILED: {description}")
        sys.exit(1)
    checks += 1
    print(f"ok: {description}")


ddb.create_table(
    TableName="orders",
    KeySchema=[
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "number", "KeyType": "RANGE"},
    ],
    AttributeDefinitions=[
        {"AttributeName": "customer", "AttributeType": "S"},
        {"AttributeName": "number", "AttributeType": "N"},
        {"AttributeName": "state", "AttributeType": "S"},
    ],
    GlobalSecondaryIndexes=[
        {
            "IndexName": "by_state",
            "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    BillingMode="PAY_PER_REQUEST",
)
ddb.get_waiter("table_exists").wait(TableName="orders", WaiterConfig={"Delay": 1, "MaxAttempts": 10})
described = ddb.describe_table(TableName="orders")["Table"]
check("the table is ACTIVE with its GSI", described["TableStatus"] == "ACTIVE"
      and described["GlobalSecondaryIndexes"][0]["IndexName"] == "by_state")

for number, state, cents in [(1, "PLACED", "500"), (2, "SHIPPED", "1500"), (3, "PLACED", "2500")]:
    ddb.put_item(TableName="orders", Item={
        "customer": {"S": "ada"}, "number": {"N": str(number)}, "state": {"S": state},
        "cents": {"N": cents}, "tags": {"SS": ["new"]}, "blob": {"B": b"\x00\xff"},
    })

item = ddb.get_item(TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "2"}},
                    ConsistentRead=True)["Item"]
check("get_item returns the item with exact types", item["cents"] == {"N": "1500"}
      and item["blob"] == {"B": b"\x00\xff"} and item["tags"] == {"SS": ["new"]})

page = ddb.query(TableName="orders", KeyConditionExpression="customer = :c AND #n >= :n",
                 ExpressionAttributeNames={"#n": "number"},
                 ExpressionAttributeValues={":c": {"S": "ada"}, ":n": {"N": "2"}},
                 ScanIndexForward=False)
check("query returns the sort-key range in descending order",
      [i["number"]["N"] for i in page["Items"]] == ["3", "2"])

placed = ddb.query(TableName="orders", IndexName="by_state",
                   KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "state"},
                   ExpressionAttributeValues={":s": {"S": "PLACED"}})
check("a GSI query finds the PLACED orders", sorted(i["number"]["N"] for i in placed["Items"]) == ["1", "3"])

updated = ddb.update_item(
    TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "1"}},
    UpdateExpression="SET #s = :shipped, cents = cents + :inc ADD tags :t",
    ConditionExpression="#s = :placed",
    ExpressionAttributeNames={"#s": "state"},
    ExpressionAttributeValues={":shipped": {"S": "SHIPPED"}, ":placed": {"S": "PLACED"},
                               ":inc": {"N": "100"}, ":t": {"SS": ["rush"]}},
    ReturnValues="ALL_NEW")["Attributes"]
check("a conditional update applies", updated["state"] == {"S": "SHIPPED"}
      and updated["cents"] == {"N": "600"} and sorted(updated["tags"]["SS"]) == ["new", "rush"])

try:
    ddb.update_item(
        TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "1"}},
        UpdateExpression="SET #s = :shipped", ConditionExpression="#s = :placed",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":shipped": {"S": "SHIPPED"}, ":placed": {"S": "PLACED"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    check("a failing condition raises", False)
except ClientError as e:
    check("a failing condition raises ConditionalCheckFailedException with the item",
          e.response["Error"]["Code"] == "ConditionalCheckFailedException"
          and e.response["Item"]["state"] == {"S": "SHIPPED"})

ddb.batch_write_item(RequestItems={"orders": [
    {"PutRequest": {"Item": {"customer": {"S": "bob"}, "number": {"N": str(n)}, "state": {"S": "PLACED"}}}}
    for n in range(1, 11)
]})
scanned = ddb.scan(TableName="orders", FilterExpression="customer = :b",
                   ExpressionAttributeValues={":b": {"S": "bob"}}, Select="COUNT")
check("batch-written items are found by a filtered scan", scanned["Count"] == 10 and scanned["ScannedCount"] == 13)

ddb.transact_write_items(TransactItems=[
    {"Update": {"TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "2"}},
                "UpdateExpression": "SET cents = cents - :d", "ConditionExpression": "cents >= :d",
                "ExpressionAttributeValues": {":d": {"N": "500"}}}},
    {"Put": {"TableName": "orders", "Item": {"customer": {"S": "ada"}, "number": {"N": "4"},
                                             "state": {"S": "REFUND"}, "cents": {"N": "500"}}}},
])
moved = ddb.get_item(TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "2"}})["Item"]
check("a transaction applies both writes", moved["cents"] == {"N": "1000"})
try:
    ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "2"}},
                            "ConditionExpression": "cents > :big", "ExpressionAttributeValues": {":big": {"N": "99999"}}}},
        {"Delete": {"TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "4"}}}},
    ])
    check("a cancelled transaction raises", False)
except ClientError as e:
    reasons = [r["Code"] for r in e.response.get("CancellationReasons", [])]
    check("a cancelled transaction reports its reasons in order",
          e.response["Error"]["Code"] == "TransactionCanceledException"
          and reasons == ["ConditionalCheckFailed", "None"])

try:
    ddb.put_item(TableName="orders", Item={"customer": {"S": "ada"}})
    check("a put without the sort key is rejected", False)
except ClientError as e:
    check("a put without the sort key is a ValidationException",
          e.response["Error"]["Code"] == "ValidationException"
          and e.response["Error"]["Message"] == "One or more parameter values were invalid: Missing the key number in the item")

ddb.delete_item(TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "3"}})
gone = ddb.get_item(TableName="orders", Key={"customer": {"S": "ada"}, "number": {"N": "3"}})
check("a deleted item is gone", "Item" not in gone)

ddb.delete_table(TableName="orders")
check("the table is deleted", "orders" not in ddb.list_tables()["TableNames"])
print(f"boto3 compatibility: {checks} passed, 0 failed")
