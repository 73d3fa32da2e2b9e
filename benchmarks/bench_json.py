"""json_schema against a SchemaBench-style reward, in one run.

    make bench-json        # or: python benchmarks/bench_json.py [--seconds 3]

A ~2 kB model response (an order record in a ```json block) is scored against a mid-size
schema (nested objects, arrays, enums, patterns, formats, required fields), valid and with
three errors. Prints responses/s for:

- reward-server ``json_schema`` with its validator cache warm (the steady state: every
  sample of a prompt shares the schema);
- the same with the cache cleared before every call (the cold, compile-every-time cost);
- a 200 kB response with 40,000 errors, counted up to ``max_errors`` (default 100);
- the SchemaBench-style approach: fence regex, ``demjson3.decode``, then python
  ``jsonschema.validate`` building a new validator per call.

Target: warm rate at least 20x the SchemaBench-style rate.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import time
from collections.abc import Callable

from verifiers.json_schema import engines
from verifiers.json_schema import verify as json_schema_verify

TARGET_SPEEDUP = 20.0

ADDRESS = {
    "type": "object",
    "required": ["street", "city", "postal_code", "country"],
    "properties": {
        "street": {"type": "string", "minLength": 1, "maxLength": 200},
        "city": {"type": "string", "minLength": 1},
        "postal_code": {"type": "string", "pattern": "^[0-9A-Z -]{3,10}$"},
        "country": {"type": "string", "enum": ["US", "GB", "DE", "FR", "JP", "CN", "IN"]},
    },
    "additionalProperties": False,
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Order",
    "type": "object",
    "required": ["order_id", "created_at", "customer", "items", "shipping", "total"],
    "properties": {
        "order_id": {"type": "string", "pattern": "^ORD-[0-9]{8}$"},
        "created_at": {"type": "string", "format": "date-time"},
        "status": {"enum": ["pending", "paid", "shipped", "delivered", "cancelled"]},
        "customer": {
            "type": "object",
            "required": ["id", "name", "email"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string", "format": "email"},
                "phone": {"type": ["string", "null"]},
                "loyalty_tier": {"enum": ["none", "silver", "gold", "platinum"]},
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["sku", "name", "quantity", "unit_price"],
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                    "name": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "unit_price": {"type": "number", "exclusiveMinimum": 0},
                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                },
                "additionalProperties": False,
            },
        },
        "shipping": {
            "type": "object",
            "required": ["method", "address"],
            "properties": {
                "method": {"enum": ["standard", "express", "overnight"]},
                "address": {"$ref": "#/$defs/address"},
                "cost": {"type": "number", "minimum": 0},
            },
        },
        "billing_address": {"$ref": "#/$defs/address"},
        "total": {"type": "number", "minimum": 0},
        "notes": {"type": "string", "maxLength": 1000},
    },
    "$defs": {"address": ADDRESS},
}


def make_order() -> dict:
    address = {
        "street": "221B Baker Street",
        "city": "London",
        "postal_code": "NW1 6XE",
        "country": "GB",
    }
    return {
        "order_id": "ORD-20261128",
        "created_at": "2026-11-28T16:41:16Z",
        "status": "paid",
        "customer": {
            "id": 4182,
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "phone": None,
            "loyalty_tier": "gold",
        },
        "items": [
            {
                "sku": f"ABC-{1000 + index}",
                "name": f"Widget model {index}",
                "quantity": 1 + index % 3,
                "unit_price": 9.99 + index,
                "tags": ["hardware", f"batch-{index}"],
            }
            for index in range(9)
        ],
        "shipping": {"method": "express", "address": address, "cost": 12.5},
        "billing_address": address,
        "total": 199.91,
        "notes": "Leave the parcel with the neighbour if nobody answers.",
    }


def response_for(order: dict) -> str:
    body = json.dumps(order, indent=2)
    return f"Here is the order record you asked for.\n\n```json\n{body}\n```\n"


def schemabench_style(response: str, schema: dict) -> float:
    """Fence regex, demjson3 decode, a fresh python-jsonschema validator per call."""
    import demjson3
    import jsonschema

    match = re.search(r"```json\n(.*?)```", response, re.DOTALL)
    if match is None:
        return 0.0
    try:
        instance = demjson3.decode(match.group(1))
    except demjson3.JSONDecodeError:
        return 0.0
    try:
        jsonschema.validate(instance, schema, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError:
        return 0.0
    return 1.0


def rate(call: Callable[[], float], seconds: float) -> float:
    call()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        call()
        done += 1
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    valid = response_for(make_order())
    broken = make_order()
    broken["customer"]["email"] = "not an email"
    broken["items"][3]["quantity"] = 0
    del broken["total"]
    invalid = response_for(broken)
    # Each call gets its own copy of the schema, as a server gets a freshly parsed one.
    schemas = [copy.deepcopy(SCHEMA) for _ in range(64)]
    print(f"response: {len(valid)} bytes; schema: {len(json.dumps(SCHEMA))} bytes")

    assert json_schema_verify(valid, SCHEMA).reward == 1.0
    assert json_schema_verify(invalid, SCHEMA).reward < 0.5
    assert schemabench_style(valid, SCHEMA) == 1.0

    def ours(response: str, cold: bool) -> Callable[[], float]:
        counter = iter(range(10**12))

        def call() -> float:
            if cold:
                engines.cache_clear()
            return json_schema_verify(response, schemas[next(counter) % len(schemas)]).reward

        return call

    many_errors = json.dumps(["x"] * 40_000)
    array_of_integers = {"type": "array", "items": {"type": "integer"}}

    def capped() -> float:
        return json_schema_verify(many_errors, array_of_integers).reward

    rows = {
        "json_schema, warm cache, valid": rate(ours(valid, cold=False), args.seconds),
        "json_schema, warm cache, 3 errors": rate(ours(invalid, cold=False), args.seconds),
        "json_schema, cold (compile each call)": rate(ours(valid, cold=True), args.seconds),
        "json_schema, 40,000 errors (capped)": rate(capped, args.seconds),
        "SchemaBench-style, valid": rate(lambda: schemabench_style(valid, SCHEMA), args.seconds),
        "SchemaBench-style, 3 errors": rate(
            lambda: schemabench_style(invalid, SCHEMA), args.seconds
        ),
    }
    for name, value in rows.items():
        print(f"{name:<40}{value:>12,.0f} responses/s{1e6 / value:>12,.0f} µs each")
    speedup = rows["json_schema, warm cache, valid"] / rows["SchemaBench-style, valid"]
    met = "met" if speedup >= TARGET_SPEEDUP else "NOT met"
    print(f"target: warm rate {speedup:.0f}x the SchemaBench-style rate (>= 20x): {met}")


if __name__ == "__main__":
    main()
