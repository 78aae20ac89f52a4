"""The scorer follows the gold README's rules to the letter."""

from pipeline.contract import DateMention, DocumentInfo, ExtractResult, Finding, Source, Unit
from pipeline.evaluate import evaluate, normalise_unit, score_dates, score_findings, score_units


def result(**kwargs):
    return ExtractResult(source=Source("d.txt", "x", "txt"), **kwargs)


def test_unit_names_normalise():
    assert normalise_unit("UBND  Xã Tam Quang") == "xã tam quang"
    assert normalise_unit("Ủy ban nhân dân huyện Kỳ Sơn") == "huyện kỳ sơn"


def test_units_also_ok_counts_for_precision_not_recall():
    r = result(units=[Unit("xã A", "xa", "inspected"), Unit("huyện B", "huyen", "inspected"),
                      Unit("xã C", "xa", "inspected"), Unit("tỉnh D", "tinh", "mentioned")])
    s = score_units(r, {"inspected_units": ["xã A", "xã E"], "also_ok_units": ["huyện B"]})
    assert (s.matched_predicted, s.predicted, s.matched_gold, s.gold) == (2, 3, 1, 2)


def test_month_day_gold_matches_any_year():
    r = result(dates=[DateMention("2018-06-05", "5/6", "inspection", (0, 3)),
                      DateMention("--01-19", "19/1", "document", (5, 9))])
    s = score_dates(r, {"dates": ["--06-05", "2017-01-19"]})
    assert (s.matched_gold, s.gold, s.predicted) == (1, 2, 2)


def test_findings_are_distinct_pairs_matched_one_to_one():
    r = result(findings=[
        Finding("limitation", "mot_cua", "a", (0, 1)), Finding("limitation", "mot_cua", "b", (1, 2)),
        Finding("limitation", "co_so_vat_chat", "c", (2, 3)), Finding("strength", "khac", "d", (3, 4)),
    ])
    gold = {"findings": [
        {"polarity": "limitation", "categories": ["co_so_vat_chat", "mot_cua"]},
        {"polarity": "limitation", "categories": ["mot_cua"]},
        {"polarity": "strength", "categories": ["tai_chinh"]},
    ]}
    s = score_findings(r, gold)
    assert (s.matched_predicted, s.predicted, s.gold) == (2, 3, 3)
    polarity = score_findings(r, gold, with_category=False)
    assert (polarity.matched_predicted, polarity.predicted, polarity.gold) == (2, 2, 2)


def test_a_low_confidence_publication_date_is_not_scored_as_one():
    guessed = result(document=DocumentInfo(published="2023-03-29", published_confidence=0.3))
    evaluation = evaluate({"d.txt": guessed}, {"d.txt": {"published": None, "findings": []}})
    assert evaluation.scores["published"].predicted == 0


def test_a_failed_document_scores_zero_and_is_listed():
    failed = result(status="failed")
    evaluation = evaluate({"d.txt": failed}, {"d.txt": {"inspected_units": ["xã A"], "findings": []}})
    assert evaluation.missing == ["d.txt"]
    assert evaluation.scores["units"].recall == 0


def test_reliability_counts_right_findings_per_confidence_decile():
    from pipeline.evaluate import reliability

    findings = [Finding("strength", "mot_cua", "a", (0, 1), confidence=0.95),
                Finding("limitation", "mot_cua", "b", (2, 3), confidence=0.91),
                Finding("strength", "tai_chinh", "c", (4, 5), confidence=0.15)]
    gold = {"d.txt": {"findings": [{"polarity": "strength", "categories": ["mot_cua"], "evidence": "a"}]}}
    rows = reliability({"d.txt": result(findings=findings)}, gold)
    top, low = rows[9], rows[1]
    assert (top["findings"], top["right"], top["accuracy"]) == (2, 1, 0.5)
    assert (low["findings"], low["right"]) == (1, 0)
    assert rows[5]["accuracy"] is None
