"""Attribution of findings to units: its own component, after the classifier."""



def test_findings_name_their_units_and_the_units_they_assess_are_inspected(extractor, tmp_path):
    from pipeline.process import extract_path

    path = tmp_path / "bao-cao.txt"
    path.write_text(
        "Kiểm tra cải cách hành chính tại huyện Yên Lập\n\n"
        "Ngày 12/4, Đoàn kiểm tra của Sở Nội vụ tỉnh Phú Thọ kiểm tra công tác cải cách hành chính "
        "tại UBND huyện Yên Lập.\n"
        "Qua kiểm tra, UBND xã Minh Hòa chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận một cửa. "
        "UBND huyện Yên Lập đã ban hành kế hoạch cải cách hành chính năm 2023 kịp thời.\n",
        encoding="utf-8",
    )
    result = extract_path(path, extractor=extractor)
    roles = {u.name: u.role for u in result.units}
    assert all(role != "inspected" for name, role in roles.items() if name.startswith("Sở Nội vụ"))
    by_text = {f.text: f for f in result.findings}
    limitation = next(f for t, f in by_text.items() if "niêm yết" in t)
    assert "xã Minh Hòa" in limitation.units
    assert roles["xã Minh Hòa"] == "inspected"
    assert result.versions["attribution"].startswith("attribution.")
    assert "finding_threshold=" in result.versions["classifier"]


def test_a_partner_named_in_a_finding_is_not_marked_inspected():
    from pipeline.components import promote_finding_subjects
    from pipeline.contract import Finding, Unit

    text = "Việc phối hợp giữa Chi nhánh với Phòng Tài nguyên và Môi trường huyện Lâm Hà còn chậm"
    partner = Unit("Phòng Tài nguyên và Môi trường huyện Lâm Hà", "phong", "mentioned",
                   mentions=[(text.index("Phòng"), len(text) - 8)])
    subject = Unit("xã Tân Hà", "xa", "mentioned", mentions=[(0, 5)])
    findings = [Finding("limitation", "mot_cua", text, (0, len(text)))]
    promote_finding_subjects([partner, subject], findings, text)
    assert partner.role == "mentioned" and subject.role == "inspected"
