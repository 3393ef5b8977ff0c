"""The count of JSON values from the bytes, against the values orjson parses."""

import orjson
import pytest

from services.common.json_limits import too_many_values


def _values(value: object) -> int:
    if isinstance(value, dict):
        return 1 + sum(_values(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_values(item) for item in value)
    return 1


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b"{}",
        b'"a, [b], {c}"',
        b"[[],[],{}]",
        b'{"a":[1,2,{"b":"x,y[{"}],"c\\",":{}}',
        b'{"a\\\\":"\\\\",  "b":[1, 2]}',
        b'[1, "\\\\\\"[,{", {"k": [null, true]}]',
        b'{"k%d":1}' % 5,
    ],
)
def test_never_counts_fewer_values_than_there_are(raw: bytes) -> None:
    values = _values(orjson.loads(raw))
    assert too_many_values(raw, values - 1)


def test_at_most_one_more_per_container_than_there_are() -> None:
    raw = b'{"a":[1,2,3],"b":{"c":"d"},"e":"f,g,h,[,{"}'
    values = _values(orjson.loads(raw))
    assert not too_many_values(raw, values + 3)


def test_strings_full_of_commas_are_one_value_each() -> None:
    raw = orjson.dumps(["a, [b], {c}, " * 10_000, "x," * 10_000])
    assert not too_many_values(raw, 10)


def test_the_probe_body_is_refused_quickly() -> None:
    # 1.5 M keys in 25 MB, as the memory probe sends (orjson would take ~180 MB to hold it).
    raw = b'{"model":"m",' + b",".join(b'"key%07d":"v"' % i for i in range(1_500_000)) + b"}"
    assert too_many_values(raw, 200_000)
