"""CSVs for spreadsheets: a student id such as `=1+2` stays text, a negative score stays a number,
and what reads our CSVs back gets the ids as they were."""

import csv
import io
import re
from pathlib import Path

from autograder.exam.generate import read_roster
from autograder.reports.pages import csv_cell, csv_text

IDS = ["=1+2", "@SUM(1)", "-rf", "+cmd|' /C calc'!A0", "\tx", "'=quoted", "ada", "o'neil"]


def _rows(text):
    return list(csv.reader(io.StringIO(text)))[1:]


def test_text_a_spreadsheet_would_run_is_escaped_and_numbers_are_not():
    rows = _rows(csv_text(["student_id", "score"], [[sid, f"{-3 + i / 2:g}"] for i, sid in enumerate(IDS)] +
                          [["bo", -3], ["cy", "+1"], ["di", "1e-3"], ["ed", "-"], ["fa", "-inf"]]))
    assert [row[0] for row in rows][:len(IDS)] == ["'=1+2", "'@SUM(1)", "'-rf", "'+cmd|' /C calc'!A0", "'\tx",
                                                   "''=quoted", "ada", "o'neil"]
    assert [row[1] for row in rows] == ["-3", "-2.5", "-2", "-1.5", "-1", "-0.5", "0", "0.5",
                                        "-3", "+1", "1e-3", "'-", "'-inf"]
    assert [csv_cell(row[0]) for row in rows][:len(IDS)] == IDS


def test_a_roster_saved_from_our_csv_reads_back_the_same_ids(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(csv_text(["student_id", "score"], [[sid, 1] for sid in ["=1+2", "-rf", "'@x", "ada"]]))
    assert read_roster(roster) == ["=1+2", "-rf", "'@x", "ada"]


def test_every_csv_we_write_goes_through_csv_text():
    package = Path(__file__).resolve().parents[2] / "autograder"
    writers = [str(p.relative_to(package)) for p in package.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)|\.to_csv\(", p.read_text()) and p.name != "pages.py"]
    assert writers == []
