"""Which limits apply to a caller, and which shared counter each one is checked against."""

from dataclasses import dataclass

from services.common.identity import Identity
from services.common.usage.limit_windows import DAY, MINUTE, MONTH

SUBJECT_TYPES = ("key", "user", "group")
LIMIT_FIELDS = ("rpm", "tpm", "tpd", "budget_day", "budget_month")
REQUESTS = "requests"
TOKENS = "tokens"

# limit name -> (unit counted, window); tpd and budget_day share the day's token counter.
COUNTER_OF = {
    "rpm": (REQUESTS, MINUTE),
    "tpm": (TOKENS, MINUTE),
    "tpd": (TOKENS, DAY),
    "budget_day": (TOKENS, DAY),
    "budget_month": (TOKENS, MONTH),
}


@dataclass(frozen=True, slots=True)
class Limits:
    """One subject's limits in effect; 0 = none."""

    rpm: int = 0
    tpm: int = 0
    tpd: int = 0
    budget_day: int = 0
    budget_month: int = 0

    def any(self) -> bool:
        return bool(self.rpm or self.tpm or self.tpd or self.budget_day or self.budget_month)


@dataclass(frozen=True, slots=True)
class Check:
    """One limit on one subject: ``limit`` units of ``unit`` per ``window``."""

    subject_type: str
    subject_id: str
    name: str  # rpm | tpm | tpd | budget_day | budget_month
    unit: str
    window: str
    limit: int

    @property
    def counter(self) -> str:
        # The stored counter's name: the same for tpd and budget_day (one day of tokens).
        return f"{self.unit}:{self.window}"


def checks_for(subject_type: str, subject_id: str, limits: Limits) -> list[Check]:
    """The checks of one subject, one per counter (the tighter of tpd and budget_day)."""
    by_counter: dict[tuple[str, str], Check] = {}
    for name in LIMIT_FIELDS:
        limit = getattr(limits, name)
        if not limit:
            continue
        unit, window = COUNTER_OF[name]
        known = by_counter.get((unit, window))
        if known is None or limit < known.limit:
            by_counter[(unit, window)] = Check(subject_type, subject_id, name, unit, window, limit)
    return list(by_counter.values())


def subjects_of(identity: Identity) -> list[tuple[str, str]]:
    """The subjects a caller's work is counted against: its key, its user, each of its groups."""
    subjects = []
    if identity.scope is not None and identity.scope.key_id:
        subjects.append(("key", identity.scope.key_id))
    subjects.append(("user", identity.user_id))
    subjects.extend(("group", group_id) for group_id in sorted(identity.group_ids))
    return subjects
