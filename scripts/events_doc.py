"""Write docs/events.md from the audit catalogue (src/accord/audit/catalogue.py).

Run: ``PYTHONPATH=src .venv/bin/python scripts/events_doc.py`` (``--check``: exit 1 when the file is stale).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from accord.audit.events_doc import render

TARGET = Path(__file__).resolve().parents[1] / "docs" / "events.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only say whether docs/events.md is up to date")
    text = render()
    if parser.parse_args().check:
        if TARGET.read_text() != text:
            print(f"{TARGET} is stale: run scripts/events_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
