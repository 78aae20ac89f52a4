"""A small findings database for the workbench's tests, on SQLite or on the tests' PostgreSQL server.

Three reports: xã Tân Hòa (huyện Lai Vung, Đồng Tháp) inspected in 2023 and
again in 2024 with a limitation of the same category each time (records
"trễ hẹn"), and a hostile one whose title, text, findings and unit names carry
HTML and script.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline.contract import ExtractResult
from pipeline.store.database import open_database, save_results
from tests.test_store import make_result

TAN_HOA = ("xã Tân Hòa", "xa", "huyện Lai Vung", "Đồng Tháp")
LAI_VUNG = ("huyện Lai Vung", "huyen", None, "Đồng Tháp")
SO_NOI_VU = ("Sở Nội vụ", "so", None, "Đồng Tháp")
HOSTILE_UNIT = ('xã <img src=x onerror="window.__xss=1">', "xa", None, "Nghệ An")
SCRIPT = "<script>window.__xss = 2; alert('xss')</script>"
INJECTIONS = ["' OR 1=1 --", "x'); DROP TABLE findings; --", '" OR ""="', "1; DELETE FROM documents",
              "%' UNION SELECT sha256 FROM documents --", 'NEAR("a" "b") OR *', "\\x00", "${7*7}"]


def workbench_results() -> list[ExtractResult]:
    first = make_result(
        "tan-hoa-2023",
        ["Ngày 10/5/2023, Sở Nội vụ kiểm tra UBND xã Tân Hòa, huyện Lai Vung theo Chỉ thị 26/CT-TTg.",
         "Bộ phận một cửa xã bố trí đủ công chức, niêm yết công khai đầy đủ thủ tục.",
         "Còn 12 hồ sơ giải quyết trễ hẹn so với quy định.",
         "Đề nghị xã khắc phục tình trạng hồ sơ trễ hẹn."],
        published="2023-05-12",
        units_=[(TAN_HOA, "inspected"), (LAI_VUNG, "mentioned"), (SO_NOI_VU, "inspector")],
        found=[("strength", "mot_cua", 1, []), ("limitation", "giai_quyet_ho_so", 2, []),
               ("recommendation", "giai_quyet_ho_so", 3, [])],
        dates_=[("2023-05-10", "Ngày 10/5/2023", "inspection")],
        refs=[("Chỉ thị", "26/CT-TTg", "Chỉ thị 26/CT-TTg")],
    )
    first.units[0].current_name, first.units[0].current_province = "xã Phong Hòa", "Đồng Tháp"
    second = make_result(
        "tan-hoa-2024",
        ["Đoàn kiểm tra công vụ làm việc tại UBND xã Tân Hòa.",
         "Vẫn còn hồ sơ trễ hẹn, chưa có văn bản xin lỗi người dân.",
         "Công chức đeo thẻ đầy đủ trong giờ làm việc."],
        published="2024-04-02",
        units_=[(TAN_HOA, "inspected")],
        found=[("limitation", "giai_quyet_ho_so", 1, []), ("strength", "the_trang_phuc", 2, [])],
    )
    hostile = make_result(
        "hostile",
        [f"Kiểm tra {HOSTILE_UNIT[0]} {SCRIPT}.",
         'Xã còn <img src=x onerror="window.__xss=3"> chậm niêm yết thủ tục " onmouseover="window.__xss=4.',
         "Hồ sơ lưu trữ chưa khoa học </mark></p><script>window.__xss=5</script>."],
        published="2022-01-20",
        units_=[(HOSTILE_UNIT, "inspected")],
        found=[("limitation", "niem_yet_cong_khai", 1, []), ("limitation", "luu_tru_ho_so", 2, [])],
    )
    hostile.document.title = f"<b>Báo cáo</b> {SCRIPT}"
    return [first, second, hostile]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def workbench_engine(request, tmp_path: Path):
    """The workbench database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workbench.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = open_database(url)
    assert save_results(engine, workbench_results()).inserted == 3
    yield engine
    engine.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve the app with uvicorn on a free loopback port; yield its base URL."""
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
