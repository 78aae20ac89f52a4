import yaml

from pipeline.taxonomy import load_taxonomy

from .conftest import SHARED, require_shared


def test_codes_are_the_contracts():
    require_shared()
    contract = yaml.safe_load((SHARED / "spec" / "taxonomy.yaml").read_text(encoding="utf-8"))
    ours = load_taxonomy()
    assert set(ours.categories) == set(contract["categories"])
    assert set(ours.polarities) == set(contract["polarities"])
    assert set(ours.domains) == set(contract["domains"])
    for code, spec in contract["categories"].items():
        assert ours.categories[code].domain == spec["domain"]


def test_every_category_but_khac_has_cues_and_a_version():
    taxonomy = load_taxonomy()
    assert taxonomy.version
    assert all(c.cues for code, c in taxonomy.categories.items() if code != "khac")
