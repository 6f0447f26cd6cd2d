from __future__ import annotations

from datetime import date

import pytest

from accord.errors import InvalidInput
from accord.narratives.figures import (
    FigureContext,
    check_figures_csv,
    check_figures_json,
    parse_figures_csv,
    parse_figures_json,
    plan_upsert,
)

GOOD = """date,variant,segment,impressions,clicks,watch_seconds,get_help_clicks,completions
2026-03-01,control,fr-fr,1000,20,3600.5,2,
2026-03-01,former,fr-fr,1000,31,5400,4,120
2026-03-02,former,fr-ar,800,12,2000,1,90
"""


def test_a_good_csv_is_parsed(context: FigureContext) -> None:
    rows = parse_figures_csv("\ufeff" + GOOD, context)
    assert [row.key for row in rows] == [
        (date(2026, 3, 1), "control", "fr-fr"),
        (date(2026, 3, 1), "former", "fr-fr"),
        (date(2026, 3, 2), "former", "fr-ar"),
    ]
    assert rows[0].watch_seconds == 3600.5
    assert rows[0].completions is None
    assert rows[1].completions == 120
    assert rows[1].to_dict()["date"] == "2026-03-01"


def test_every_problem_is_reported_with_line_and_field(context: FigureContext) -> None:
    text = (
        "date,variant,segment,impressions,clicks,watch_seconds,get_help_clicks\n"
        "2026-03-01,control,fr-fr,100,120,10,0\n"  # line 2: clicks > impressions
        "2026-03-01,ghost,fr-fr,100,1,10,0\n"  # line 3: unknown variant
        "2026-03-01,control,xx-yy,100,1,10,0\n"  # line 4: unknown segment
        "2026-02-28,control,fr-fr,100,1,10,0\n"  # line 5: before the campaign
        "2026-03-02,control,fr-fr,-5,1,-1,0\n"  # line 6: negatives
        "2026-03-03,control,fr-fr,1.5,1,ten,0\n"  # line 7: not numbers
        "03/04/2026,control,fr-fr,10,1,1,0\n"  # line 8: bad date
    )
    check = check_figures_csv(text, context)
    found = {(p.line, p.field) for p in check.problems}
    assert found == {
        (2, "clicks"),
        (3, "variant"),
        (4, "segment"),
        (5, "date"),
        (6, "impressions"),
        (6, "watch_seconds"),
        (7, "impressions"),
        (7, "watch_seconds"),
        (8, "date"),
    }
    assert not check.ok
    with pytest.raises(InvalidInput) as caught:
        parse_figures_csv(text, context)
    assert caught.value.field == "figures"
    assert len(caught.value.extra["problems"]) == len(check.problems)
    assert caught.value.extra["problems"][0] == {"line": 2, "field": "clicks", "message": check.problems[0].message}


def test_the_header_must_hold_the_aggregate_columns_only(context: FigureContext) -> None:
    check = check_figures_csv("date,variant,segment,impressions,clicks,user_id\n", context)
    fields = {p.field for p in check.problems}
    assert {"watch_seconds", "get_help_clicks", "user_id"} <= fields
    assert all(p.line == 1 for p in check.problems)


def test_duplicate_keys_in_one_file_are_refused(context: FigureContext) -> None:
    text = GOOD + "2026-03-01,former,fr-fr,1000,30,5400,4,120\n"
    check = check_figures_csv(text, context)
    assert [(p.line, p.field) for p in check.problems] == [(5, "date")]
    assert "line 3" in check.problems[0].message


def test_json_rows_are_validated_the_same_way(context: FigureContext) -> None:
    good = {
        "date": "2026-03-01",
        "variant": "peer",
        "segment": "be-fr",
        "impressions": 50,
        "clicks": 5,
        "watch_seconds": 12.5,
        "get_help_clicks": 0,
        "survey_responses": 3,
    }
    rows = parse_figures_json([good], context)
    assert rows[0].survey_responses == 3
    bad = [
        good | {"clicks": True},
        {k: v for k, v in good.items() if k != "clicks"},
        good | {"email": "x@example.org"},
        "not an object",
        good | {"completions": 51},
    ]
    check = check_figures_json(bad, context)
    assert [(p.line, p.field) for p in check.problems] == [
        (1, "clicks"),
        (2, "clicks"),
        (3, "email"),
        (4, ""),
        (5, "completions"),
    ]


def test_reimporting_the_same_rows_changes_nothing(context: FigureContext) -> None:
    first = parse_figures_csv(GOOD, context)
    plan = plan_upsert([], first)
    assert (len(plan.insert), len(plan.update), len(plan.unchanged)) == (3, 0, 0)
    again = plan_upsert(first, parse_figures_csv(GOOD, context))
    assert (again.insert, again.update) == ((), ())
    assert len(again.unchanged) == 3
    corrected = parse_figures_csv(GOOD.replace("1000,31", "1000,32"), context)
    fix = plan_upsert(first, corrected)
    assert [row.clicks for row in fix.update] == [32]
    assert {row.key for row in first} == {row.key for row in corrected}
