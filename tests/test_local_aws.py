"""The local stack's DynamoDB (moto server with devstack.moto_patches) answers Query like DynamoDB."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key

from devstack.local_aws import LocalAws


@pytest.fixture
def table(aws: LocalAws) -> Any:
    resource = boto3.resource("dynamodb", endpoint_url=aws.endpoint)
    created = resource.create_table(
        TableName="query-check",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "kind")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-kind", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}]}],
    )
    with created.batch_writer() as batch:
        for partition in range(40):
            for n in range(25):
                batch.put_item(Item={"pk": f"p{partition}", "sk": f"{n:03d}", "kind": f"k{n % 2}",
                                     "n": n, "odd": n % 2 == 1})
    return created


def test_query_returns_only_the_asked_partition_in_key_order(table: Any) -> None:
    items = table.query(KeyConditionExpression=Key("pk").eq("p7"))["Items"]
    assert [item["sk"] for item in items] == [f"{n:03d}" for n in range(25)]
    assert {item["pk"] for item in items} == {"p7"}


def test_query_pages_backwards_with_a_range_condition_and_a_filter(table: Any) -> None:
    seen: list[str] = []
    start: dict[str, Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        page = table.query(KeyConditionExpression=Key("pk").eq("p3") & Key("sk").begins_with("01"),
                           FilterExpression=Attr("odd").eq(True), ScanIndexForward=False, Limit=4, **kwargs)
        seen += [item["sk"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == ["019", "017", "015", "013", "011"]


def test_query_of_a_missing_partition_is_empty(table: Any) -> None:
    assert table.query(KeyConditionExpression=Key("pk").eq("nowhere"))["Items"] == []


def test_query_on_an_index_still_reads_every_partition(table: Any) -> None:
    page = table.query(IndexName="by-kind", KeyConditionExpression=Key("kind").eq("k1") & Key("sk").eq("003"))
    assert sorted(item["pk"] for item in page["Items"]) == sorted(f"p{n}" for n in range(40))
