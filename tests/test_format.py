"""Every display rule of `generator.format`, on hand-computable numbers and at their edges."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from generator.format import (
    BANDS,
    MINUS,
    NA,
    band_class,
    band_of,
    cut,
    fmt_corr,
    fmt_date,
    fmt_level,
    fmt_num,
    fmt_pct,
    fmt_pp,
    fmt_rebased,
    fmt_score,
    fmt_share,
    fmt_signed,
    fmt_usd,
    fmt_value,
    missing,
    plural,
)

M = "\u2212"  # the minus sign every negative number shows


def test_the_minus_sign_is_u2212():
    assert MINUS == M and NA == "n/a"


@pytest.mark.parametrize("value", [None, math.nan, np.nan, math.inf, -math.inf, ""])
def test_missing_values(value):
    assert missing(value)


@pytest.mark.parametrize("value", [0, 0.0, -1.5, "54.9", "text", np.float64(3.0), False])
def test_present_values(value):
    assert not missing(value)


# --- bands -------------------------------------------------------------------------------


def test_bands_cover_0_to_100_with_whole_number_limits():
    assert [b[2] for b in BANDS] == ["Strong risk-off", "Risk-off", "Neutral", "Risk-on",
                                     "Strong risk-on"]
    assert BANDS[0][0] == 0 and BANDS[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(BANDS, BANDS[1:], strict=False))
    assert all(float(limit).is_integer() for low, high, _ in BANDS for limit in (low, high))


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "Strong risk-off"),
        (24.99, "Strong risk-off"),
        (25, "Risk-off"),
        (44.99, "Risk-off"),
        (45, "Neutral"),
        (54.999, "Neutral"),
        (55, "Risk-on"),
        (74.99, "Risk-on"),
        (75, "Strong risk-on"),
        (99.99, "Strong risk-on"),
        (100, "Strong risk-on"),  # the top band includes 100
        (-0.5, "Strong risk-off"),  # outside 0–100: the nearest band
        (100.5, "Strong risk-on"),
        (np.float64(55.0), "Risk-on"),
        ("45", "Neutral"),
        (math.nan, ""),
        (None, ""),
        ("", ""),
    ],
)
def test_band_of(score, band):
    assert band_of(score) == band


def test_band_class():
    assert band_class("Strong risk-on") == "band-strong-risk-on"
    assert band_class("Neutral") == "band-neutral"
    assert band_class("") == "band-none"


# --- scores: cut, never rounded up --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (54.96, 1, 54.9),
        (54.99999, 1, 54.9),
        (0.3, 1, 0.3),  # 2.9999999999999996 tenths is binary noise, not 0.2
        (0.7, 1, 0.7),
        (2.675, 2, 2.67),
        (55.0, 1, 55.0),
        (100.0, 1, 100.0),
        (12.0, 0, 12.0),
    ],
)
def test_cut(value, digits, expected):
    assert cut(value, digits) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (54.96, "54.9"),  # shown in its band: 55.0 would read Risk-on
        (24.99, "24.9"),
        (44.999, "44.9"),
        (74.96, "74.9"),
        (55, "55.0"),
        (0, "0.0"),
        (100, "100.0"),
        (62.37, "62.3"),
        (np.float64(41.55), "41.5"),
        (math.nan, "n/a"),
        (None, "n/a"),
    ],
)
def test_fmt_score_cuts_to_one_decimal(value, text):
    assert fmt_score(value) == text


def test_a_score_shown_is_in_the_band_of_the_score():
    for score in np.arange(0, 100.001, 0.01):
        assert band_of(float(fmt_score(score))) == band_of(score), score


def test_fmt_score_digits():
    assert fmt_score(54.969, 2) == "54.96"
    assert fmt_score(54.969, 0) == "54"


# --- plain and signed numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (2663.78, 2, "2,663.78"),
        (1234567.891, 2, "1,234,567.89"),
        (-1234.5, 2, f"{M}1,234.50"),
        (18.456, 1, "18.5"),
        (0, 2, "0.00"),
        (np.int64(-5), 2, f"{M}5.00"),
        (math.nan, 2, "n/a"),
        (None, 2, "n/a"),
        (math.inf, 2, "n/a"),
    ],
)
def test_fmt_num(value, digits, text):
    assert fmt_num(value, digits) == text


@pytest.mark.parametrize("value", [-0.004, -0.0])
def test_fmt_num_of_a_negative_that_shows_as_zero_is_unsigned(value):
    assert fmt_num(value) == "0.00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.34, "+2.3"),
        (-0.44, f"{M}0.4"),
        (0.04, "0.0"),  # shows as zero: unsigned
        (-0.04, "0.0"),
        (0.0, "0.0"),
        (-0.0, "0.0"),
        (0.06, "+0.1"),
        (-0.06, f"{M}0.1"),
        (1234.5, "+1,234.5"),
        (math.nan, "n/a"),
    ],
)
def test_fmt_signed(value, text):
    assert fmt_signed(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.39, "+0.39"),
        (-0.12, f"{M}0.12"),
        (-0.1234, f"{M}0.12"),
        (0.004, "0.00"),
        (-0.004, "0.00"),
        (1, "+1.00"),
        (-1, f"{M}1.00"),
        (None, "n/a"),
    ],
)
def test_fmt_corr(value, text):
    assert fmt_corr(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1234, "+12.3%"),
        (-0.1234, f"{M}12.3%"),
        (0.0004, "0.0%"),  # shows as zero: unsigned
        (-0.0004, "0.0%"),
        (0.0, "0.0%"),
        (1.5, "+150.0%"),
        (12.3456, "+1,234.6%"),
        (math.nan, "n/a"),
        (None, "n/a"),
    ],
)
def test_fmt_pct(value, text):
    assert fmt_pct(value) == text


def test_fmt_pct_unsigned_and_digits():
    assert fmt_pct(0.1234, signed=False) == "12.3%"
    assert fmt_pct(-0.1234, signed=False) == f"{M}12.3%"
    assert fmt_pct(0.1234, digits=0) == "+12%"
    assert fmt_pct(-0.00004, digits=2) == "0.00%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.123, "+12.3"),  # 12.3 percentage points
        (-0.04, f"{M}4.0"),
        (0.0004, "0.0"),
        (-0.0004, "0.0"),
        (0.15 - 0.1, "+5.0"),
        (math.nan, "n/a"),
        (None, "n/a"),
    ],
)
def test_fmt_pp(value, text):
    assert fmt_pp(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.234e9, "+$1.23bn"),
        (-4.5e8, f"{M}$450m"),
        (1e9, "+$1.00bn"),
        (-2.5e9, f"{M}$2.50bn"),
        (12.6e6, "+$13m"),
        (999.4e6, "+$999m"),
        (math.nan, "n/a"),
        (None, "n/a"),
    ],
)
def test_fmt_usd(value, text):
    assert fmt_usd(value) == text


@pytest.mark.parametrize("value", [0.0, 1e5, -1e5])
def test_fmt_usd_of_an_amount_that_shows_as_zero_is_unsigned(value):
    assert fmt_usd(value) == "$0m"


def test_fmt_value_by_unit():
    assert fmt_value(0.1234, "pct") == "+12.3%"
    assert fmt_value(54.96, "index") == "54.9"
    assert fmt_value(-1234.5, "num") == f"{M}1,234.50"
    assert fmt_value(math.nan, "pct") == fmt_value(None, "index") == fmt_value("", "num") == "n/a"


def test_no_signed_format_writes_a_hyphen_minus_or_a_signed_zero():
    for value in (-1e-9, -0.0, 0.0, 1e-9, -0.0004, 0.0004):  # each shows as zero
        for text in (fmt_signed(value), fmt_corr(value), fmt_pct(value), fmt_pp(value)):
            assert not text.startswith(("+", M, "-")), (value, text)
    for value in (-0.5, -123.456, -1e-9, -1e9):
        for text in (fmt_signed(value), fmt_corr(value), fmt_pct(value), fmt_pp(value),
                     fmt_num(value), fmt_usd(value)):
            assert "-" not in text, (value, text)


# --- dates and words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [dt.date(2026, 2, 20), dt.datetime(2026, 2, 20, 23, 59), pd.Timestamp("2026-02-20"),
     "2026-02-20", "2026-02-20T10:00:00"],
)
def test_fmt_date(value):
    assert fmt_date(value) == "20 February 2026"


def test_fmt_date_edges():
    assert fmt_date(dt.date(2025, 1, 1)) == "1 January 2025"
    assert fmt_date(dt.date(2024, 12, 31)) == "31 December 2024"
    assert fmt_date(None) == fmt_date("") == fmt_date(math.nan) == "n/a"


@pytest.mark.parametrize(
    ("n", "one", "many", "text"),
    [
        (1, "week", None, "1 week"),
        (0, "week", None, "0 weeks"),
        (3, "week", None, "3 weeks"),
        (1200, "day", None, "1,200 days"),
        (1, "index", "indices", "1 index"),
        (2, "index", "indices", "2 indices"),
    ],
)
def test_plural(n, one, many, text):
    assert plural(n, one, many) == text


def test_fmt_usd_rolls_up_to_billions_as_it_rounds():
    assert fmt_usd(999.6e6) == "+$1.00bn" and fmt_usd(-999.4e6) == f"{M}$999m"


def test_fmt_date_of_a_missing_timestamp():
    import pandas as pd

    assert fmt_date(pd.NaT) == "n/a"


# --- issue 15: a shown value and its shown change add up; words for records and counts ----


@pytest.mark.parametrize(("now", "previous", "shown"), [
    (67.9126, 63.8888, "+4.1"),  # 67.9 shown after 63.8: +4.1, not the +4.0 of the raw change
    (68.9126, 77.6507, "\u22128.7"),
    (57.0, 57.04, "0.0"),  # both show as 57.0: no sign
    (54.96, 57.0, "\u22122.1"),
    (50.0, math.nan, "n/a"),
])
def test_a_change_is_the_difference_of_the_shown_values(now, previous, shown):
    from generator.format import change_of, fmt_change

    assert fmt_change(now, previous) == shown
    if shown != "n/a":
        assert float(fmt_score(now)) == pytest.approx(
            float(fmt_score(previous)) + change_of(now, previous))


def test_changes_add_up_for_every_pair_of_scores_on_a_grid():
    from generator.format import fmt_change

    values = np.linspace(0, 100, 397)
    for a in values[::7]:
        for b in values[::11]:
            shown = fmt_change(a, b).replace("\u2212", "-")
            assert round(float(fmt_score(b)) + float(shown), 1) == float(fmt_score(a))


def test_points_in_words_singular_and_plural():
    from generator.format import fmt_points

    assert fmt_points(4.1) == "up 4.1 points" and fmt_points(-1.0) == "down 1.0 point"
    assert fmt_points(0.04) == "unchanged" and fmt_points(math.nan) == "n/a"
    assert plural(1, "trading day") == "1 trading day"
    assert plural(63, "trading day") == "63 trading days"


@pytest.mark.parametrize(("drawdown", "words"), [
    (0.0, "at its record"),
    (-0.0, "at its record"),
    (-0.318, "31.8% below its record"),
    (-0.0004, "less than 0.1% below its record"),
    (math.nan, "n/a"),
])
def test_distance_from_the_record_in_words(drawdown, words):
    from generator.format import fmt_below_record

    assert fmt_below_record(drawdown) == words


def test_a_latest_reading_older_than_the_as_of_date_says_so():
    from generator.format import fmt_latest

    friday = dt.date(2026, 1, 30)
    assert fmt_latest("68.9", friday, friday) == "latest 68.9 on 30 January 2026"
    assert fmt_latest("100.0", dt.date(2025, 9, 26), pd.Timestamp(friday)) == (
        "last reading 100.0 on 26 September 2025, 18 weeks before 30 January 2026 (none since)")
    assert fmt_latest("1.0", dt.date(2026, 1, 28), friday) == (
        "last reading 1.0 on 28 January 2026, 2 days before 30 January 2026 (none since)")


def test_levels_rebased_values_and_shares_as_the_charts_and_sentences_show_them():
    assert fmt_level(2663.7) == "2,664" and fmt_level(987.4) == "987"
    assert fmt_rebased(103.46) == "103.5" and fmt_rebased(99.96) == "100.0"
    assert fmt_share(71.44) == "71.4%" and fmt_share(71.6, 0) == "72%"
    assert fmt_level(None) == fmt_rebased(math.nan) == fmt_share("") == NA
