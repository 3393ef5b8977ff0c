"""``python -m services <auth|inference|ingest|gateway>`` runs that service: the image's entrypoint."""

import importlib
import sys

SERVICES = ("auth", "inference", "ingest", "gateway")
USAGE = f"usage: python -m services {{{'|'.join(SERVICES)}}}"


def main(args: list[str]) -> int:
    if len(args) != 1 or args[0] not in SERVICES:
        print(USAGE, file=sys.stderr)
        return 2
    importlib.import_module(f"services.{args[0]}.main").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
