"""Edit robustness of plain PDQ and Accord's variants, per kind of edit, on the tuning and held-out photos.

Run: ``PYTHONPATH=src python benchmarks/robustness.py`` (about 20 seconds). Prints the Markdown tables of
``docs/signals.md`` and ``benchmarks/README.md``: per edit, how many photos of each set are still matched to
their original at distance <= 31 (with the held-out set's median distance), then the false matches among all
ordered pairs of different photos of both sets, under every edit.
"""

from __future__ import annotations

import argparse
import time

from accord.signals.robustness import heldout_photos, measure, tuning_photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--missed", action="store_true", help="also list the held-out photos Accord missed")
    args = parser.parse_args()
    start = time.perf_counter()
    tuning, heldout = tuning_photos(), heldout_photos()
    measured = measure({**tuning, **heldout})
    t, h = len(tuning), len(heldout)
    print(f"tuning set ({t}): {', '.join(tuning)}")
    print(f"held-out set ({h}): {', '.join(heldout)}\n")
    print(f"| edit | tuning ({t}): plain PDQ | tuning: Accord | held-out ({h}): plain PDQ | held-out: Accord "
          "| held-out median distance, plain / Accord |")
    print("|---|---|---|---|---|---|")
    for result in measured.edits:
        a, b = result.only(tuning), result.only(heldout)
        missed = f" (missed: {', '.join(b.missed())})" if args.missed and b.missed() else ""
        print(f"| {result.edit} | {a.plain}/{t} | {a.accord}/{t} | {b.plain}/{h} | {b.accord}/{h}{missed} "
              f"| {b.median('plain')} / {b.median('accord')} |")
    false = measured.false_matches
    n = t + h
    print(f"\nFalse matches among the {n * (n - 1):,} ordered pairs of different photos, each upload looked up "
          f"unedited and after every edit ({false.lookups:,} lookups): plain PDQ {false.plain}, Accord "
          f"{false.accord}.")
    for label, closest in (("plain PDQ", false.closest_plain), ("Accord", false.closest_accord)):
        print(f"Closest unrelated pair, {label}: {closest.distance} ({closest.queried} after "
              f"'{closest.edit}' against {closest.banked})")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
