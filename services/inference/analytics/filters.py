"""The filters every analytics query takes, as SQL conditions over ``inference_chat_message m``
joined to its chat ``c`` (owner ``c.user_id``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Messages created in [start, end] (epoch s; None: unbounded), of ``user_ids`` when given (a
    group's members), else of everyone."""

    start: int | None = None
    end: int | None = None
    user_ids: tuple[str, ...] | None = None

    def where(self, args: list) -> str:
        """The conditions, appending their parameters to ``args``."""
        parts = ["TRUE"]
        if self.start is not None:
            args.append(self.start)
            parts.append(f"m.created_at >= ${len(args)}")
        if self.end is not None:
            args.append(self.end)
            parts.append(f"m.created_at <= ${len(args)}")
        if self.user_ids is not None:
            args.append(list(self.user_ids))
            parts.append(f"c.user_id = ANY(${len(args)}::text[])")
        return " AND ".join(parts)
