"""Older snapshots are completed, never changed; the published table keeps the contract first."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from generator.signals.coverage import COVERAGE_COLUMNS
from generator.signals.further import EXTENDED_COLUMNS
from generator.signals.narrative import Context
from generator.signals.weekly import Weekly, complete_frozen
from tests.signals.test_narrative import issue


def weekly() -> Weekly:
    empty = pd.DataFrame()
    return Weekly(empty, empty, None, {"2025-W38": Context()})  # type: ignore[arg-type]


def test_an_old_snapshot_gets_what_it_lacks_and_keeps_what_it_has():
    computed = issue(eth_btc_13w=0.25, smallcap_flows_13w=math.nan)
    computed = dataclasses.replace(computed, notes={"smallcap_flows_13w": "no shares"},
                                   narrative=("computed",))
    old_values = {k: v for k, v in computed.values.items() if k not in EXTENDED_COLUMNS}
    frozen = dataclasses.replace(computed, values={**old_values, "rut_close": 1.0}, notes={},
                                 narrative=(), frozen=True)
    done = complete_frozen(frozen, computed, weekly())
    assert done.values["rut_close"] == 1.0  # frozen numbers are never changed
    assert done.values["eth_btc_13w"] == 0.25
    assert done.notes == {"smallcap_flows_13w": "no shares"}
    assert done.narrative and done.narrative != ("computed",)  # composed from frozen numbers
    assert "2,100.00" in " ".join(done.narrative)


def test_a_complete_snapshot_is_returned_as_is():
    computed = issue(**dict.fromkeys((*EXTENDED_COLUMNS, *COVERAGE_COLUMNS), 0.1))
    frozen = dataclasses.replace(computed, narrative=("frozen words",), frozen=True,
                                 inputs_configured=27)
    assert complete_frozen(frozen, computed, weekly()) is frozen
