"""Secrets of the embedded servers: generated once, kept in files only their owner may read."""

import contextlib
import os
import pwd
import secrets
import stat
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private_file(path: Path, text: str, *, owner: str | None = None) -> None:
    """Writes ``text`` to ``path`` (mode 0600, owned by ``owner`` if given, else by us) atomically:
    a crash leaves the old file or the new one, never a half-written one, and the text is never
    readable by others, not even briefly."""
    temporary = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if owner is not None:
            entry = pwd.getpwnam(owner)
            os.chown(temporary, entry.pw_uid, entry.pw_gid)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def read_or_create_secret(path: Path) -> tuple[str, bool]:
    """The secret kept in ``path`` and whether it was just created: a new URL-safe one (32 random
    bytes) when the file is missing or empty. A file others could read is made owner-only."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(PRIVATE_MODE)
        value = path.read_text().strip()
        if value:
            return value, False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    write_private_file(path, value + "\n")
    return value, True
