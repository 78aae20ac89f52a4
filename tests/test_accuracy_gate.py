"""The accuracy gate: no evaluation figure may drop more than 0.02 below the one recorded.

The recorded figures (`models/evaluation-figures.json`) are written by
`findings evaluate --record` when a change is meant to move them; a change
that lowers them by accident fails here, where it is made.
"""

import pytest

from pipeline.evaluate import (
    GATE_MARGIN,
    GUARDED,
    evaluate,
    evaluation_sets,
    figures,
    load_gold,
    recorded_figures,
)
from pipeline.process import extract_path

from .conftest import require_shared

RECORDED = {"sets": recorded_figures()}


@pytest.mark.slow
@pytest.mark.parametrize("evaluation_set", evaluation_sets(), ids=lambda s: s.name)
def test_no_figure_drops_below_the_recorded_one(evaluation_set):
    if evaluation_set.name in ("seeds", "realdev"):
        require_shared()
    assert evaluation_set.present, f"{evaluation_set.gold} is missing: the gate needs every evaluation set"
    recorded = RECORDED["sets"][evaluation_set.name]
    gold = load_gold(evaluation_set.gold)
    results = {name: extract_path(evaluation_set.docs / name) for name in gold}
    measured = figures(evaluate(results, gold))
    dropped = {k: (measured[k], v) for k, v in recorded.items() if measured[k] < v - GATE_MARGIN}
    assert not dropped, f"{evaluation_set.name}: figures below the recorded ones (measured, recorded): {dropped}"


def test_every_set_and_guarded_figure_is_recorded():
    expected = {f"{name}_{measure}" for name, measure in GUARDED}
    assert {s.name for s in evaluation_sets()} == set(RECORDED["sets"])
    for name, recorded in RECORDED["sets"].items():
        assert set(recorded) == expected, name
