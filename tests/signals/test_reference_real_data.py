"""The product's signal table (SPEC §5, §7) against an independent reference, on real data.

The real market files live outside the repo, in `../shared/data/market` relative to the
repo root; without them these tests skip.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from generator.prices import Prices
from generator.store.naming import filename_ticker
from generator.store.prices import load_price_csv
from tests.reference_signals import BANDS, COLUMNS, DEFAULT_ALTS, HEADER, reference_table

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKET_DIR = REPO_ROOT.parent / "shared" / "data" / "market"

REL_TOL = 1e-6
ABS_TOL = 1e-9

BOOL_COLUMNS = ("rut_record_week", "rut_breakout_week", "iwm_breakout_week")
TEXT_COLUMNS = ("week", "as_of", "band")
NUMBER_COLUMNS = tuple(c for c in COLUMNS if c not in BOOL_COLUMNS and c not in TEXT_COLUMNS)

pytestmark = pytest.mark.skipif(
    not MARKET_DIR.is_dir(), reason=f"real market data not present at {MARKET_DIR}"
)


def load_market(directory: Path) -> Prices:
    """Every `<TICKER>.csv` of a folder of real market files, as read (no checks)."""
    return {filename_ticker(path.name): load_price_csv(path)
            for path in sorted(directory.glob("*.csv"))}


def _archive_settings() -> tuple[str, tuple[str, ...]]:
    """archive_start and alt universe from the repo's settings (SPEC defaults otherwise)."""
    try:
        from generator.config import load_config
    except ImportError:  # pragma: no cover - the package is always importable in this repo
        return "2016-01-01", DEFAULT_ALTS
    config = load_config(REPO_ROOT)
    return config.archive_start.isoformat(), tuple(config.alts)


@pytest.fixture(scope="module")
def reference() -> list[dict]:
    archive_start, alts = _archive_settings()
    return reference_table(MARKET_DIR, archive_start=archive_start, alts=alts)


@pytest.fixture(scope="module")
def product():
    """(DataFrame, CSV text) of the published signals table.

    The published table holds the contract columns first, then further columns (the
    extra signals of SPEC §5); only the contract columns are compared here.
    """
    from generator.config import load_config
    from generator.signals.core import format_signals_csv
    from generator.signals.weekly import published_signals

    config = load_config(REPO_ROOT)
    prices = load_market(MARKET_DIR)
    table = published_signals(prices, config)
    return table, format_signals_csv(table)


# ---------------------------------------------------------------------------------------
# the reference alone: facts anyone can check against the raw files


def test_reference_known_breakouts(reference: list[dict]) -> None:
    by_week = {row["week"]: row for row in reference}
    for week in ("2020-W46", "2025-W38"):
        assert by_week[week]["rut_breakout_week"] is True, week
        assert by_week[week]["rut_record_week"] is True, week
    # 2020-11-13: first close above the 2018-08-31 record; 2025-09-18 above 2021-11-08.
    assert by_week["2020-W46"]["rut_drawdown"] == 0.0
    assert by_week["2020-W46"]["as_of"] == "2020-11-13"
    assert by_week["2025-W38"]["as_of"] == "2025-09-19"


def test_reference_archive_shape(reference: list[dict]) -> None:
    weeks = [row["week"] for row in reference]
    assert weeks == sorted(weeks) and len(weeks) == len(set(weeks))
    assert reference[0]["as_of"] >= "2016-01-01"
    assert all(list(row) == list(HEADER) for row in reference)


# ---------------------------------------------------------------------------------------
# the product against the reference


def _parse_cell(column: str, cell: str):
    if cell == "":
        return None
    if column in BOOL_COLUMNS:
        if cell not in ("true", "false"):
            raise ValueError(f"boolean {column} written as {cell!r}")
        return cell == "true"
    if column in TEXT_COLUMNS:
        return cell
    value = float(cell)
    if not math.isfinite(value):
        raise ValueError(f"{column} written as {cell!r} (missing must be an empty field)")
    return value


def _near_band_edge(score: float | None) -> bool:
    return score is not None and any(abs(score - edge) <= ABS_TOL for edge, _ in BANDS)


def _compare(ref: list[dict], got: list[dict]) -> list[str]:
    problems: list[str] = []
    ref_weeks = [r["week"] for r in ref]
    got_weeks = [r["week"] for r in got]
    if ref_weeks != got_weeks:
        missing = sorted(set(ref_weeks) - set(got_weeks))
        extra = sorted(set(got_weeks) - set(ref_weeks))
        problems.append(
            f"weeks differ: {len(ref_weeks)} expected, {len(got_weeks)} got; "
            f"missing {missing[:10]}, extra {extra[:10]}"
            + ("; order differs" if not missing and not extra else "")
        )
    got_by_week = {r["week"]: r for r in got}
    for want in ref:
        have = got_by_week.get(want["week"])
        if have is None:
            continue
        for col in HEADER[1:]:
            a, b = want[col], have[col]
            if a is None or b is None:
                ok = a is None and b is None
            elif col in NUMBER_COLUMNS:
                ok = math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
            elif col == "band":
                ok = a == b or _near_band_edge(want["score"])
            else:
                ok = a == b
            if not ok:
                problems.append(f"{want['week']} {col}: reference {a!r}, product {b!r}")
    return problems


def test_product_header_is_the_contract(product) -> None:
    """The contract columns first and in order; further columns may only follow them."""
    table, text = product
    assert list(table.columns)[: len(HEADER)] == list(HEADER)
    header = text.splitlines()[0].split(",")
    assert header[: len(HEADER)] == list(HEADER)
    assert not set(header[len(HEADER) :]) & set(HEADER)


def test_product_matches_reference(product, reference: list[dict]) -> None:
    _, text = product
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header[: len(HEADER)] == list(HEADER)
    got = []
    for line in reader:
        assert len(line) == len(header), f"row with {len(line)} fields: {line[:2]}"
        cells = dict(zip(header, line, strict=True))
        got.append({col: _parse_cell(col, cells[col]) for col in HEADER})
    problems = _compare(reference, got)
    if problems:
        shown = "\n  ".join(problems[:10])
        pytest.fail(f"{len(problems)} mismatches with the reference (first 10):\n  {shown}")


def test_product_known_breakouts(product) -> None:
    table, _ = product
    flags = dict(zip(table["week"], table["rut_breakout_week"], strict=True))
    assert bool(flags["2020-W46"]) is True
    assert bool(flags["2025-W38"]) is True
