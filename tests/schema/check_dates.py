#!/usr/bin/env python3
"""Dates: the schemas and osteotrack agree (issue 20). Each date of the table
goes through osteotrack (`compare --from-date`, ot_date_parse()) and through
ajv against patient.schema.json#/$defs/date and report.schema.json#/$defs/date;
all three must give the table's answer. Then report.schema.json#/$defs/
computed_date (due dates, which may pass 2199) must take real days of any
four-digit year and refuse the rest.

Usage: check_dates.py OSTEOTRACK SOURCE_DIR
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ajv  # noqa: E402

GOOD, BAD = True, False
TABLE = [
    ("2024-02-29", GOOD, "29 February of a leap year"),
    ("2000-02-29", GOOD, "a leap year divisible by 400"),
    ("2024-02-30", BAD, "30 February"),
    ("2023-02-29", BAD, "29 February of a common year"),
    ("2100-02-29", BAD, "1900-style century, not a leap year"),
    ("1900-02-29", BAD, "1900 was not a leap year"),
    ("2024-04-31", BAD, "31 April"),
    ("2024-06-31", BAD, "31 June"),
    ("2024-09-31", BAD, "31 September"),
    ("2024-11-31", BAD, "31 November"),
    ("2024-01-31", GOOD, "31 January"),
    ("2024-12-31", GOOD, "31 December"),
    ("2024-13-01", BAD, "month 13"),
    ("2024-00-10", BAD, "month 0"),
    ("2024-01-00", BAD, "day 0"),
    ("2024-01-32", BAD, "day 32"),
    ("1900-01-01", GOOD, "the first day accepted"),
    ("2199-12-31", GOOD, "the last day accepted"),
    ("1899-12-31", BAD, "before 1900"),
    ("2200-01-01", BAD, "after 2199"),
    ("0999-01-01", BAD, "year 999"),
    ("2024-1-05", BAD, "a month of one digit"),
    ("2024-01-5", BAD, "a day of one digit"),
    ("24-01-05", BAD, "a year of two digits"),
    ("2024/01/05", BAD, "slashes"),
    ("2024-01-05T00:00", BAD, "a time after the date"),
    (" 2024-01-05", BAD, "a space before"),
    ("2024-01-05 ", BAD, "a space after"),
    ("20240105", BAD, "no hyphens"),
    ("", BAD, "empty"),
]
COMPUTED = [("2200-01-01", GOOD), ("2201-06-30", GOOD), ("2200-02-29", BAD),
            ("2204-02-29", GOOD), ("2024-02-30", BAD), ("12024-01-01", BAD)]


def main():
    tool, src = sys.argv[1], sys.argv[2]
    failed = 0
    said = []
    for date, _, _ in TABLE:
        run = subprocess.run([tool, "compare", "--site", "lumbar_spine", "--from", "0.8",
                              "--to", "0.84", "--from-date", date], capture_output=True)
        if run.returncode not in (0, 2):
            failed += 1
            print("FAIL osteotrack compare --from-date %r: status %d" % (date, run.returncode))
        said.append(run.returncode == 0)
    jobs = [(s, "#/$defs/date", d) for d, _, _ in TABLE for s in ("patient", "report")]
    jobs += [("report", "#/$defs/computed_date", d) for d, _ in COMPUTED]
    _, errors = ajv.validate(src, jobs)
    for i, (date, good, why) in enumerate(TABLE):
        answers = {"osteotrack": said[i], "patient.schema.json": not errors[2 * i],
                   "report.schema.json": not errors[2 * i + 1]}
        for who, ok in answers.items():
            if ok != good:
                failed += 1
                print("FAIL %s %s %r (%s)" % (who, "accepts" if ok else "refuses", date, why))
    for (date, good), errs in zip(COMPUTED, errors[2 * len(TABLE):]):
        if (not errs) != good:
            failed += 1
            print("FAIL report.schema.json#/$defs/computed_date %s %r" % (
                "refuses" if errs else "accepts", date))
    print("ok   %d dates: osteotrack and both schemas agree, %d computed dates" % (
        len(TABLE), len(COMPUTED)) if not failed else "%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
