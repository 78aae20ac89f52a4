"""The classifiers: features, deterministic training, the taxonomy-version guard."""

import json

import joblib
import pytest

from pipeline.classify.features import Statement, segment_words
from pipeline.classify.model import ModelMismatchError, check_compatible, load_classifier
from pipeline.classify.train import corpus_fingerprint, load_corpus, records_from_corrections, to_statement, train
from pipeline.store.database import CorrectedFinding

TINY = [
    ("a1", "UBND xã đã niêm yết công khai đầy đủ thủ tục hành chính", True, "strength", "niem_yet_cong_khai", ""),
    ("a2", "chưa niêm yết đầy đủ bộ thủ tục hành chính tại trụ sở", True, "limitation", "niem_yet_cong_khai", ""),
    ("a3", "niêm yết bổ sung các thủ tục hành chính mới công bố", True, "recommendation", "niem_yet_cong_khai", "Đoàn đề nghị:"),
    ("a4", "bảng niêm yết thủ tục hành chính được cập nhật kịp thời", True, "strength", "niem_yet_cong_khai", ""),
    ("a5", "một số thủ tục niêm yết đã hết hiệu lực", True, "limitation", "niem_yet_cong_khai", ""),
    ("a6", "cần niêm yết công khai số điện thoại đường dây nóng", True, "recommendation", "niem_yet_cong_khai", ""),
    ("b1", "cán bộ, công chức chấp hành nghiêm giờ giấc làm việc", True, "strength", "gio_giac_lam_viec", ""),
    ("b2", "một số công chức đi làm muộn, về sớm", True, "limitation", "gio_giac_lam_viec", ""),
    ("b3", "chấn chỉnh việc chấp hành thời gian làm việc", True, "recommendation", "gio_giac_lam_viec", "Yêu cầu:"),
    ("b4", "100% công chức có mặt đúng giờ tại thời điểm kiểm tra", True, "strength", "gio_giac_lam_viec", ""),
    ("b5", "vắng mặt 5 người không có lý do", True, "limitation", "gio_giac_lam_viec", ""),
    ("b6", "xử lý nghiêm công chức đi muộn về sớm", True, "recommendation", "gio_giac_lam_viec", ""),
    ("n1", "Đoàn kiểm tra đã làm việc với lãnh đạo UBND xã", False, None, None, ""),
    ("n2", "Ảnh: Minh Châu", False, None, None, ""),
    ("n3", "Thực hiện Kế hoạch số 12/KH-UBND của UBND tỉnh", False, None, None, ""),
    ("n4", "Tin liên quan", False, None, None, ""),
    ("n5", "Sau khi nghe báo cáo, đoàn tiến hành kiểm tra thực tế", False, None, None, ""),
    ("n6", "Đoàn do Phó Giám đốc Sở Nội vụ làm trưởng đoàn", False, None, None, ""),
] * 2


@pytest.fixture()
def tiny_corpus(tmp_path):
    folder = tmp_path / "statements"
    folder.mkdir()
    with (folder / "tiny.jsonl").open("w", encoding="utf-8") as out:
        for i, (rid, text, finding, polarity, category, context) in enumerate(TINY):
            out.write(json.dumps({"id": f"{rid}-{i}", "text": text, "finding": finding, "polarity": polarity,
                                  "category": category, "category_alt": None, "context": context,
                                  "genre": "news", "level": "xa", "source": "test"}, ensure_ascii=False) + "\n")
    return folder


def test_segment_words_joins_multi_syllable_words():
    assert "thủ_tục" in segment_words("niêm yết thủ tục hành chính").split()


def test_to_statement_reads_the_context_polarity():
    statement = to_statement("việc lưu trữ hồ sơ", "Tuy nhiên, còn một số hạn chế như:", tokens="việc lưu_trữ hồ_sơ")
    assert statement.context_polarity == "limitation"
    assert statement.rule_polarity == "limitation"


def test_training_is_deterministic_and_writes_a_model_card(tiny_corpus, tmp_path):
    first, second = tmp_path / "a" / "m.joblib", tmp_path / "b" / "m.joblib"
    card = train(corpus_dir=tiny_corpus, output=first)
    train(corpus_dir=tiny_corpus, output=second)
    assert card["records"] == len(TINY)
    assert (first.parent / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# Model card")
    a, b = joblib.load(first), joblib.load(second)
    probe = [Statement(text="chưa niêm yết thủ tục", tokens="chưa niêm_yết thủ_tục")]
    assert a.predict(probe) == b.predict(probe)
    assert a.metadata["data_version"] == b.metadata["data_version"]


def test_a_model_for_another_taxonomy_version_is_refused(tiny_corpus, tmp_path):
    path = tmp_path / "m.joblib"
    train(corpus_dir=tiny_corpus, output=path)
    bundle = joblib.load(path)
    bundle.metadata["taxonomy_version"] = "0.0-old"
    with pytest.raises(ModelMismatchError):
        check_compatible(bundle)
    joblib.dump(bundle, path)
    load_classifier.cache_clear()
    with pytest.raises(ModelMismatchError):
        load_classifier(path)
    load_classifier.cache_clear()
    from pipeline.taxonomy import load_taxonomy

    bundle.metadata["taxonomy_version"] = load_taxonomy().version
    bundle.metadata["features_version"] = "features.v0"
    with pytest.raises(ModelMismatchError, match="features"):
        check_compatible(bundle)


def test_the_shipped_model_loads_and_knows_every_category():
    from pipeline.taxonomy import load_taxonomy

    bundle = load_classifier()
    assert set(bundle.category.classes_) == set(load_taxonomy().category_codes)
    assert bundle.metadata["data_version"]


def test_the_corpus_is_valid_and_large_enough():
    records = load_corpus()
    findings = [r for r in records if r.finding]
    assert len(records) >= 2500
    assert len(records) - len(findings) >= 500
    assert len({r.id for r in records}) == len(records)


def test_corrections_are_learned_as_extra_records(tiny_corpus, tmp_path):
    extra = records_from_corrections([
        CorrectedFinding(finding_id=7, text="một số công chức không đeo thẻ khi làm việc", polarity="limitation",
                         category="gio_giac_lam_viec", corrections=1),
    ] * 6)
    assert extra[0].id == "corr-00000007" and extra[0].finding
    card = train(corpus_dir=tiny_corpus, output=tmp_path / "m.joblib", extra=extra)
    assert card["records"] == len(TINY) + 6 and card["extra_records"] == 6
    assert "6 from analysts' corrections" in (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_every_category_has_at_least_60_statements_per_polarity():
    from collections import Counter

    from pipeline.taxonomy import load_taxonomy

    counts = Counter((r.category, r.polarity) for r in load_corpus() if r.finding)
    short = {(c, p): counts[(c, p)] for c in load_taxonomy().category_codes
             for p in ("strength", "limitation", "recommendation") if counts[(c, p)] < 60}
    assert short == {}


def test_the_shipped_model_was_trained_on_the_current_corpus():
    bundle = load_classifier()
    assert bundle.metadata["data_version"] == corpus_fingerprint(), "run `findings train` and commit models/"


def test_the_corpus_has_no_near_duplicates_or_leaks_into_the_evaluation_documents():
    from pipeline.classify.train import CORPUS_DIR
    from pipeline.corpus import validate_corpus

    report = validate_corpus(CORPUS_DIR, [CORPUS_DIR.parents[0] / "eval" / "docs"], threshold=0.9)
    assert report.ok, report


def test_negation_scope_marks_the_words_a_negator_governs():
    from pipeline.classify.features import negation_scope

    assert negation_scope("một_số công_chức không đeo thẻ , đi muộn") == "neg:đeo neg:thẻ"
    assert negation_scope("đeo thẻ đầy_đủ") == "neg:-"


def _write_dev_set(folder):
    docs, gold = folder / "docs", folder / "gold"
    docs.mkdir(parents=True)
    gold.mkdir()
    (docs / "d1.txt").write_text(
        "Kiểm tra cải cách hành chính tại xã Tân Lập\n\n"
        "Ngày 5/3, Đoàn kiểm tra của Sở Nội vụ kiểm tra công tác cải cách hành chính tại UBND xã Tân Lập. "
        "Qua kiểm tra, UBND xã đã niêm yết công khai đầy đủ thủ tục hành chính. "
        "Tuy nhiên, một số công chức đi làm muộn, về sớm.\n", encoding="utf-8")
    (gold / "d1.json").write_text(json.dumps({
        "doc": "d1.txt", "findings": [
            {"polarity": "strength", "categories": ["niem_yet_cong_khai"], "evidence": "niêm yết"},
            {"polarity": "limitation", "categories": ["gio_giac_lam_viec"], "evidence": "đi làm muộn"}],
    }, ensure_ascii=False), encoding="utf-8")
    return gold, docs


@pytest.mark.slow
def test_training_on_development_sets_chooses_and_records_the_decision(tiny_corpus, tmp_path):
    from pipeline.classify.devselect import DECISION_GRID
    from pipeline.components import ClassifierComponent

    path = tmp_path / "m.joblib"
    card = train(corpus_dir=tiny_corpus, output=path, dev_sets=[_write_dev_set(tmp_path / "dev")])
    decision = card["decision"]
    assert decision["selected_by"] == "development sets" and decision["dev_documents"] == 1
    settings = 1
    for values in DECISION_GRID.values():
        settings *= len(values)
    # two estimators for finding and polarity; four for the category (each with or without `category_alt`)
    assert decision["trials_run"] == 2 * 2 * 4 * settings
    assert decision["trials"][0]["objective"] == max(t["objective"] for t in decision["trials"])
    for name, values in DECISION_GRID.items():
        assert decision["thresholds"][name] in values
    bundle = joblib.load(path)
    assert bundle.decision.finding_threshold == decision["thresholds"]["finding_threshold"]
    component = ClassifierComponent(bundle, decision=bundle.decision)
    assert f"finding_threshold={decision['thresholds']['finding_threshold']:g}" in component.version
    assert "development sets" in (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_selection_keeps_out_trials_that_would_fail_the_accuracy_gate(monkeypatch):
    from types import SimpleNamespace

    import pipeline.components
    from pipeline.classify import devselect

    scores = iter([{"seeds:findings_f1": 0.70, "realdev:findings_f1": 0.80, "objective": 0.78},
                   {"seeds:findings_f1": 0.82, "realdev:findings_f1": 0.71, "objective": 0.74}])
    component = SimpleNamespace(candidates=lambda doc: [], predict=lambda doc, c: [], decide=lambda c, p: [])
    monkeypatch.setattr(devselect, "DECISION_GRID", {"finding_threshold": (0.4, 0.5)})
    monkeypatch.setattr(devselect, "dev_score", lambda documents, findings: next(scores))
    monkeypatch.setattr(pipeline.components, "ClassifierComponent", lambda bundle, decision: component)
    documents = [SimpleNamespace(doc=None)]
    best, _ = devselect.choose(documents, {"finding": {"logreg": None}}, lambda choice: None,
                               floors={"seeds": 0.79})
    assert best["thresholds"]["finding_threshold"] == 0.5  # the better objective would fail the seeds floor


def test_the_classifiers_read_proper_names_masked():
    from pipeline.classify.features import NAME_MASK, mask_text, statement_tokens

    assert mask_text("UBND xã Tân Phú, huyện Đồng Phú đã niêm yết thủ tục") == (
        f"UBND xã {NAME_MASK} , huyện {NAME_MASK} đã niêm yết thủ tục")
    assert mask_text("bà Lê Thị Hoa ghi nhận thị trấn Na Dương làm tốt") == (
        f"bà {NAME_MASK} ghi nhận thị trấn {NAME_MASK} làm tốt")
    # a lower-case word after a level word is not a name; 'Sở Nội vụ' names a kind of department
    assert mask_text("cán bộ xã đã đeo thẻ; Sở Nội vụ kiểm tra") == "cán bộ xã đã đeo thẻ; Sở Nội vụ kiểm tra"
    # segmented words (underthesea keeps a name as one word with a space) read the same
    assert statement_tokens(["UBND", "xã", "Tân Phú", "đã", "niêm yết"]) == f"ubnd xã {NAME_MASK} đã niêm_yết"
