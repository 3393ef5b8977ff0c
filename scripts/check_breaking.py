"""Fails when protos/ breaks callers of the previous release: `buf breaking` against the newest tag,
or, without one, against the last commit that changed nothing here (HEAD while protos/ has
uncommitted changes, HEAD~1 otherwise). A clone without that history skips the check, saying so."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str | None:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def baseline() -> str | None:
    """The commit whose protos are the contract callers rely on."""
    tag = _git("describe", "--tags", "--abbrev=0")
    if tag:
        return tag
    dirty = _git("status", "--porcelain", "--", "protos")
    ref = "HEAD" if dirty else "HEAD~1"
    return _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def main() -> int:
    ref = baseline()
    if ref is None:
        print("buf breaking: no earlier commit in this clone; skipped")
        return 0
    buf = Path(sys.executable).with_name("buf")
    command = [str(buf), "breaking", "--against", f".git#ref={ref}"]
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode == 0:
        print(f"buf breaking: no breaking change against {ref[:12]}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
