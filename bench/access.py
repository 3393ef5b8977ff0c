"""Access decisions (services/common/access.py): what one decision and filtering a list cost for a
user in many groups, against collections that each carry grants.

A user in 50 effective groups; 1,000 knowledge collections owned by someone else, each with 10
grants (users and groups, read and write, in Open WebUI's stored dict shape), a fifth of them
naming one of the user's groups with a read grant. Measured: one ``can_read`` (the p50 over every
collection, so grants that match early and late both count), and filtering all 1,000 (what
``KnowledgeCore.list_knowledge`` does per request).

    PYTHONPATH=.:gen .venv/bin/python bench/access.py --rounds 5
"""

import argparse
import random
import statistics
import time

from services.common import access
from services.common.identity import Identity

GROUPS = 50
COLLECTIONS = 1000
GRANTS_EACH = 10


def build(seed: int) -> tuple[Identity, list[tuple[str, list[dict]]]]:
    rng = random.Random(seed)
    groups = [f"group-{i:03d}-{rng.getrandbits(64):016x}" for i in range(GROUPS)]
    identity = Identity("user-me", "user", group_ids=frozenset(groups))
    collections = []
    for index in range(COLLECTIONS):
        grants = []
        for _ in range(GRANTS_EACH):
            kind = rng.choice(("user", "group"))
            grants.append(
                {
                    "id": f"{rng.getrandbits(64):016x}",
                    "resource_type": "knowledge",
                    "resource_id": f"k{index}",
                    "principal_type": kind,
                    "principal_id": f"other-{rng.getrandbits(32):08x}",
                    "permission": rng.choice(("read", "write")),
                    "created_at": 0,
                }
            )
        if index % 5 == 0:
            # Somewhere in the list: a read grant to one of the user's groups.
            position = rng.randrange(GRANTS_EACH)
            grants[position] = {
                **grants[position],
                "principal_type": "group",
                "principal_id": rng.choice(groups),
            }
            grants[position]["permission"] = "read"
        collections.append((f"owner-{index % 7}", grants))
    return identity, collections


def one_decision(identity: Identity, collections: list[tuple[str, list[dict]]]) -> list[float]:
    samples = []
    for owner, grants in collections:
        started = time.perf_counter_ns()
        access.can_read(identity, owner, grants)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def filtering(
    identity: Identity, collections: list[tuple[str, list[dict]]], repeats: int
) -> tuple[list[float], int]:
    samples = []
    readable = 0
    for _ in range(repeats):
        started = time.perf_counter_ns()
        readable = sum(1 for owner, grants in collections if access.can_read(identity, owner, grants))
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples, readable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=200, help="list filters timed per round")
    args = parser.parse_args()
    identity, collections = build(seed=17)
    # Warm-up.
    one_decision(identity, collections)
    filtering(identity, collections, 20)
    for round_ in range(1, args.rounds + 1):
        single = one_decision(identity, collections)
        listed, readable = filtering(identity, collections, args.repeats)
        print(
            f"round {round_}: one decision p50 {statistics.median(single):.2f} µs "
            f"(p99 {statistics.quantiles(single, n=100)[98]:.2f} µs); "
            f"filtering {COLLECTIONS} p50 {statistics.median(listed) / 1000:.3f} ms "
            f"(p99 {statistics.quantiles(listed, n=100)[98] / 1000:.3f} ms), {readable} readable"
        )


if __name__ == "__main__":
    main()
