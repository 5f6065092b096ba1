"""`course collect` on hostile LMS exports: every entry is placed or reported, whatever the others hold."""

import struct
import zipfile

import pytest

from autograder.course.errors import CourseError
from autograder.intake.archives import collect_archive
from tests.conftest import course_main, make_course_copy

AID = "01_layer_math"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
LIMITS = "\nc.Collect.max_entry_mb = 1\nc.Collect.max_archive_mb = 3\n"


@pytest.fixture
def course(tmp_path):
    return make_course_copy(tmp_path, LIMITS)


def _zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def _patch_central(path, name: str, offset: int, fmt: str, value):
    """Overwrite one field of `name`'s central directory record: what a crafted zip declares."""
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        length = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + length] == name.encode():
            struct.pack_into(fmt, data, pos + offset, value)
            path.write_bytes(bytes(data))
            return
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{name} not in {path}")


def _submitted(course):
    root = course.submissions_root()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _placed(course, *students):
    return [f"{s}/{AID}/{f}" for s in sorted(students) for f in ("layer_math.ipynb", "timestamp.txt")]


def test_a_zip_bomb_is_refused_while_the_others_are_collected(course, tmp_path):
    archive = _zip(tmp_path / "export.zip", [("ada_1.ipynb", NOTEBOOK), ("bomb_1.ipynb", b"\0" * (8 << 20)),
                                             ("cy_1.ipynb", NOTEBOOK)])
    assert archive.stat().st_size < 100_000  # 8 MB expanded
    outcome = collect_archive(course=course, assignment_id=AID, archive=archive)
    assert sorted(outcome.placed) == ["ada", "cy"]
    assert outcome.unplaced == [("bomb_1.ipynb", "declares 8 MB expanded, over c.Collect.max_entry_mb = 1")]
    assert _submitted(course) == _placed(course, "ada", "cy")  # no folder, no temporary file left


def test_a_size_the_zip_lies_about_is_caught_while_reading(course, tmp_path):
    archive = _zip(tmp_path / "export.zip", [("ada_1.ipynb", NOTEBOOK), ("liar_1.ipynb", b"\0" * (8 << 20))])
    _patch_central(archive, "liar_1.ipynb", 24, "<I", 1000)  # the uncompressed size
    outcome = collect_archive(course=course, assignment_id=AID, archive=archive)
    assert list(outcome.placed) == ["ada"]
    (entry, why), = outcome.unplaced
    assert entry == "liar_1.ipynb" and why.startswith("cannot be read from the archive (Bad CRC-32")
    assert _submitted(course) == _placed(course, "ada")


def test_an_entry_zipfile_would_decompress_whole_is_refused_unread(course, tmp_path):
    """bzip2 and LZMA blocks are decompressed whole before a byte can be counted: a 1 KB entry could
    ask for gigabytes. LMS exports use stored and deflated entries only."""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ada_1.ipynb", NOTEBOOK, zipfile.ZIP_DEFLATED)
        zf.writestr("bz_1.ipynb", b"\0" * (8 << 20), zipfile.ZIP_BZIP2)
        zf.writestr("xz_1.ipynb", NOTEBOOK, zipfile.ZIP_LZMA)
    outcome = collect_archive(course=course, assignment_id=AID, archive=archive)
    assert list(outcome.placed) == ["ada"]
    assert [entry for entry, why in outcome.unplaced if "compressed with a method" in why] == ["bz_1.ipynb", "xz_1.ipynb"]


def test_the_archive_limit_counts_what_entries_really_expand_to(course, tmp_path):
    big = b"\0" * (900 << 10)  # under the 1 MB an entry, four of them over the 3 MB of the archive
    archive = _zip(tmp_path / "export.zip", [(f"s{i}_1.ipynb", big) for i in range(5)])
    outcome = collect_archive(course=course, assignment_id=AID, archive=archive)
    assert sorted(outcome.placed) == ["s0", "s1", "s2"]
    assert [entry for entry, _ in outcome.unplaced] == ["s3_1.ipynb", "s4_1.ipynb"]
    assert all("c.Collect.max_archive_mb = 3" in why for _, why in outcome.unplaced)


@pytest.mark.parametrize("entry", ["../../x_1.ipynb", "/abs/x_1.ipynb", "a/../../x_1.ipynb", "C:\\Users\\x_1.ipynb",
                                   "sub\\x_1.ipynb", "./x_1.ipynb"])
def test_a_path_like_name_is_placed_by_its_file_name_and_noted(course, tmp_path, entry):
    outcome = collect_archive(course=course, assignment_id=AID, archive=_zip(tmp_path / "export.zip", [(entry, NOTEBOOK)]))
    assert outcome.placed == {"x": entry} and not outcome.unplaced
    (noted, note), = outcome.noted
    assert noted == entry and "by its file name alone" in note
    assert _submitted(course) == _placed(course, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "export.zip"]  # nothing beside the course


def test_a_plain_folder_in_the_export_is_no_news(course, tmp_path):
    outcome = collect_archive(course=course, assignment_id=AID,
                      archive=_zip(tmp_path / "export.zip", [("submissions/ada_1.ipynb", NOTEBOOK)]))
    assert outcome.placed == {"ada": "submissions/ada_1.ipynb"} and not outcome.noted and not outcome.unplaced


def test_an_id_that_cannot_be_a_folder_name_is_reported_and_the_rest_placed(course, tmp_path):
    long_id = "x" * 300
    archive = _zip(tmp_path / "export.zip", [("ada_1.ipynb", NOTEBOOK), (f"{long_id}_1.ipynb", NOTEBOOK),
                                             ("zoe_1.ipynb", NOTEBOOK)])
    code, out = course_main(course, "collect", AID, str(archive))
    assert code == 1 and "placed 2 submissions" in out
    assert "its student id cannot be a folder name here (File name too long)" in " ".join(out.split())
    assert _submitted(course) == _placed(course, "ada", "zoe")


def test_damaged_and_odd_entries_are_each_reported(course, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ada_1.ipynb", NOTEBOOK)
        zf.writestr("crc_1.ipynb", NOTEBOOK)
        zf.writestr("locked_1.ipynb", NOTEBOOK)
        zf.writestr("inner_1.zip", _zip(tmp_path / "inner.zip", [("bo_1.ipynb", NOTEBOOK)]).read_bytes())
        zf.writestr(zipfile.ZipInfo("undated_1.ipynb", (1980, 0, 0, 0, 0, 0)), NOTEBOOK)
        zf.writestr(zipfile.ZipInfo("twice_1.ipynb", (2026, 1, 1, 10, 0, 0)), NOTEBOOK)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr(zipfile.ZipInfo("twice_1.ipynb", (2026, 1, 2, 10, 0, 0)), NOTEBOOK.replace(b"[]", b"[ ]"))
        zf.writestr("caf\xe9_1.ipynb", NOTEBOOK)
    _patch_central(archive, "crc_1.ipynb", 16, "<I", 0)
    _patch_central(archive, "locked_1.ipynb", 8, "<H", 0x1)  # the encrypted flag
    outcome = collect_archive(course=course, assignment_id=AID, archive=archive)
    why = dict(outcome.unplaced)
    assert sorted(outcome.placed) == ["ada", "twice"]
    assert why["caf\xe9_1.ipynb"].startswith("no student id")
    assert why["crc_1.ipynb"].startswith("cannot be read from the archive (Bad CRC-32")
    assert why["locked_1.ipynb"].startswith("encrypted")
    assert why["inner_1.zip"] == "not a notebook (an archive inside the archive is not opened)"
    assert "is not a date" in why["undated_1.ipynb"]
    assert outcome.noted == [("twice_1.ipynb", "an older notebook of twice, not placed: the newest (twice_1.ipynb) was")]
    assert b"[ ]" in (course.submission_dir("twice", AID) / "layer_math.ipynb").read_bytes()
    assert (course.submission_dir("twice", AID) / "timestamp.txt").read_text() == "2026-01-02 10:00:00.000000 UTC"


def test_a_name_flagged_utf8_that_is_not_is_a_clear_error(course, tmp_path):
    archive = _zip(tmp_path / "export.zip", [("ada_1.ipynb", NOTEBOOK), ("s\u00e9_1.ipynb", NOTEBOOK)])
    archive.write_bytes(archive.read_bytes().replace("\u00e9".encode(), b"\xff\xfe"))
    with pytest.raises(CourseError, match="is not a readable zip file"):
        collect_archive(course=course, assignment_id=AID, archive=archive)


def test_the_cli_prints_every_entry_and_fails_only_on_what_was_not_placed(course, tmp_path):
    noted = _zip(tmp_path / "noted.zip", [("../ada_1.ipynb", NOTEBOOK), ("bo_1.ipynb", NOTEBOOK), ("bo_2.ipynb", NOTEBOOK)])
    code, out = course_main(course, "collect", AID, str(noted))
    assert code == 0 and "placed 2 submissions" in out
    assert "note ../ada_1.ipynb: a path in the archive" in out and "note bo_1.ipynb: an older notebook of bo" in out
    refused = _zip(tmp_path / "refused.zip", [("cy_1.ipynb", NOTEBOOK), ("readme.txt", b"hi")])
    code, out = course_main(course, "collect", AID, str(refused))
    assert code == 1 and "not placed readme.txt: not a notebook" in out
