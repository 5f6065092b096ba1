"""`course exam generate`: forms and per-student papers, byte-identical from any process, keys apart
from papers, and bad input refused before anything is written."""

import http.server
import json
import shutil
import subprocess
import sys
import threading
import types

import pytest

from autograder.course.errors import CourseError
from autograder.exam.generate import generate
from tests.conftest import NO_PDFS, PRACTICE_FORM, course_main, make_course_copy

EXAM = "practice_exam"


def _cli(course, *args, fresh=False):
    """`course ARGS`; in a fresh process only where that is what is tested (a process costs seconds
    of imports)."""
    if fresh:
        return subprocess.run([sys.executable, "-m", "autograder.cli", "--course-dir", str(course.root), *args],
                              capture_output=True, text=True)
    code, out = course_main(course, *args)
    return types.SimpleNamespace(returncode=code, stdout=out)


def _files(folder, pdfs=True):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and (pdfs or p.suffix != ".pdf")}


def test_two_fresh_processes_write_byte_identical_forms(tmp_path):
    first, second = make_course_copy(tmp_path / "one"), make_course_copy(tmp_path / "two", NO_PDFS)
    for course in (first, second):
        done = _cli(course, "exam", "generate", EXAM, "--forms", "A", "--forms", "B", "--seed", "2027", fresh=True)
        assert done.returncode == 0, done.stdout
    for folder in (first.exam_dir(EXAM), first.source_dir(f"{EXAM}_A"), first.release_dir(f"{EXAM}_B")):
        twin = second.root / folder.relative_to(first.root)
        # PDFs aside: Chromium printed the same page a few bytes apart once, on a loaded runner
        assert _files(folder, pdfs=False) == _files(twin, pdfs=False), folder
    pdfs = sorted(p.name for p in (first.exam_dir(EXAM) / "print").glob("*.pdf"))
    assert pdfs == ["A-key.pdf", "A.pdf", "B-key.pdf", "B.pdf"] or not shutil.which("chromium")
    assert all((first.exam_dir(EXAM) / "print" / name).read_bytes().startswith(b"%PDF") for name in pdfs)
    assert not list((second.exam_dir(EXAM) / "print").glob("*.pdf"))  # c.Exam.print_pdfs = False: pages only
    manifest = json.loads((first.exam_dir(EXAM) / "manifest.json").read_text())
    assert manifest["mode"] == "forms" and set(manifest["papers"]) == {"A", "B"} and "torch" in manifest["libraries"]


def test_papers_carry_no_key_and_differ_between_forms(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    generate(course=course, exam_id=EXAM, forms=["A", "B"], seed=1)
    papers = {f: json.loads((course.exam_dir(EXAM) / "papers" / f"{f}.json").read_text()) for f in "AB"}
    keys = json.loads((course.exam_dir(EXAM) / "keys" / "A.json").read_text())
    assert [q["text"] for q in papers["A"]["questions"]] != [q["text"] for q in papers["B"]["questions"]]
    assert all(set(q) >= {"text", "instructions", "points"} and not set(q) & {"value", "tolerance", "option", "seed", "worked"}
               for q in papers["A"]["questions"])
    assert [k["question"] for k in keys["questions"]] == [q["question"] for q in papers["A"]["questions"]]


def test_each_student_of_a_roster_gets_a_paper_of_their_own(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nS001,Ada\ns002,Bo\n")
    generate(course=course, exam_id=EXAM, roster=roster)
    manifest = json.loads((course.exam_dir(EXAM) / "manifest.json").read_text())
    assert set(manifest["papers"]) == {"s001", "s002"} and manifest["mode"] == "roster"
    assert manifest["papers"]["s001"]["seeds"] != manifest["papers"]["s002"]["seeds"]
    assert (course.root / course.exam.secret_file).stat().st_mode & 0o077 == 0  # the secret is the owner's only


@pytest.mark.parametrize("roster_text, words", [
    ("", "no students"),
    ("name\nAda\n", "no students under a 'student_id' column"),
    ("student_id\nS1\n s1 \n", "lists s1 more than once"),
    ("student_id\nS1\n\"\"\n", "empty student_id on line 3"),
    ("student_id\nAnne Marie\nanne_marie\n", "differ only in characters a file name cannot hold"),
])
def test_a_bad_roster_is_refused_and_writes_nothing(tmp_path, roster_text, words):
    course = make_course_copy(tmp_path, NO_PDFS)
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text)
    with pytest.raises(CourseError, match=words):
        generate(course=course, exam_id=EXAM, roster=roster)
    assert not course.exam_dir(EXAM).exists()


def test_nothing_is_overwritten_without_force(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    generate(course=course, exam_id=EXAM, forms=["A"], seed=1)
    before = _files(course.exam_dir(EXAM))
    refused = _cli(course, "exam", "generate", EXAM, "--forms", "A", "--seed", "2")
    assert refused.returncode == 2 and "--force" in refused.stdout
    assert _files(course.exam_dir(EXAM)) == before
    generate(course=course, exam_id=EXAM, forms=["B"], seed=2, force=True)
    assert sorted(p.name for p in (course.exam_dir(EXAM) / "papers").iterdir()) == ["B.json"]
    assert not course.source_dir(f"{EXAM}_A").exists() and sorted(course.exam_assignments()) == [f"{EXAM}_B"]


def test_a_regenerated_form_keeps_the_reviewed_files_beside_its_source(tmp_path):
    """Its requirement table and equivalent mutants are reviewed work: validate then says which quotes
    the new prompts lost, instead of the table vanishing with the old notebook."""
    course = make_course_copy(tmp_path, NO_PDFS, practice_form=True)
    table = course.requirements_path(PRACTICE_FORM).read_bytes()
    generate(course=course, exam_id=EXAM, forms=["A"], seed=2027, force=True)
    assert course.requirements_path(PRACTICE_FORM).read_bytes() == table
    assert course.source_notebooks(PRACTICE_FORM)


def test_a_generator_that_raises_is_named_with_its_seed_and_the_old_papers_stay(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    generate(course=course, exam_id=EXAM, forms=["A"], seed=1)
    before = _files(course.exam_dir(EXAM))
    source = course.exam_bank_dir() / "kl_divergence" / "question.py"
    source.write_text(source.read_text().replace("kl = sum(", "kl = 1 / 0 + sum("))
    with pytest.raises(CourseError, match=r"question kl_divergence raised ZeroDivisionError.*seed \d+"):
        generate(course=course, exam_id=EXAM, forms=["A"], seed=1, force=True)
    assert _files(course.exam_dir(EXAM)) == before


def test_unknown_exam_and_missing_question_say_what_to_fix(tmp_path):
    course = make_course_copy(tmp_path, extra_config="\nc.Exam.exams = {'quiz': {'title': 'Q', 'questions': ['nope']}}\n")
    with pytest.raises(CourseError, match="unknown exam 'practice_exam'"):
        generate(course=course, exam_id=EXAM, forms=["A"], seed=1)
    with pytest.raises(CourseError, match="asks nope, not in the bank"):
        generate(course=course, exam_id="quiz", forms=["A"], seed=1)


def test_moodle_xml_keeps_tolerances_and_the_key_option_per_category(tmp_path):
    import xml.etree.ElementTree as ET

    course = make_course_copy(tmp_path, NO_PDFS)
    generate(course=course, exam_id=EXAM, forms=["A", "B"], seed=3)
    folder = course.exam_dir(EXAM)
    quiz = ET.parse(folder / "moodle.xml").getroot()
    categories = [q for q in quiz if q.get("type") == "category"]
    assert len(categories) == len(course.exam.exams[EXAM]["questions"])
    keys = {f: {k["question"]: k for k in json.loads((folder / "keys" / f"{f}.json").read_text())["questions"]}
            for f in "AB"}
    for question in quiz:
        if question.get("type") == "category":
            continue
        qid, form = question.find("name/text").text.rstrip(")").split(" (")
        key = keys[form][qid]
        answers = question.findall("answer")
        if question.get("type") == "numerical":
            assert float(answers[0].find("text").text) == key["value"]
            assert float(answers[0].find("tolerance").text) == key.get("tolerance", 0)
        elif question.get("type") == "multichoice":
            right = [a.find("text").text for a in answers if a.get("fraction") == "100"]
            assert right == [key["option"]] and "ABCD"[[a.find("text").text for a in answers].index(right[0])] == key["value"]
        else:
            assert question.get("type") == "essay" and key["kind"] == "free_text"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["not_in_moodle"] == ["stable_softmax_code"]  # no Moodle type for code without plug-ins


def test_exam_commands_on_missing_or_wrong_input_say_what_to_do(tmp_path):
    course = make_course_copy(tmp_path, NO_PDFS)
    for args, words in ((("exam", "reroll", EXAM, "ada"), "has not been generated"),
                        (("exam", "analyze", EXAM), "has no papers yet")):
        done = _cli(course, *args)
        assert done.returncode == 2 and words in done.stdout and "Traceback" not in done.stdout, done.stdout
    course.source_dir(f"{EXAM}_A").mkdir(parents=True)  # someone's own folder where a form would go
    with pytest.raises(CourseError, match="exists and was not made by this exam"):
        generate(course=course, exam_id=EXAM, forms=["A"], seed=1)
    course.source_dir(f"{EXAM}_A").rmdir()
    generate(course=course, exam_id=EXAM, forms=["A"], seed=1)
    for args, words in ((("exam", "reroll", EXAM, "ada"), "drawn as lettered forms"),
                        (("exam", "analyze", EXAM), "no graded submissions")):
        done = _cli(course, *args)
        assert done.returncode == 2 and words in done.stdout, done.stdout
    (course.exam_dir(EXAM) / "manifest.json").write_text("{ not json")
    done = _cli(course, "grade", f"{EXAM}_A")
    assert done.returncode == 2 and "manifest.json cannot be read" in done.stdout, done.stdout



class _Service(http.server.BaseHTTPRequestHandler):
    """What the ngshare service answers about its courses and their releases."""
    courses: list[str] = []
    released: list[str] = []

    def do_GET(self):
        answer = {"courses": self.courses} if self.path.endswith("/courses") else {"assignments": self.released}
        body = json.dumps({"success": True, **answer}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _held_as(how: str, course, tmp_path) -> None:
    if how == "exchange folder":  # where nbgrader's release_assignment puts it, and students fetch it from
        shutil.copytree(course.release_dir(PRACTICE_FORM), tmp_path / "exchange" / "adlm" / "outbound" / PRACTICE_FORM)
    elif how == "submitted":  # handed out through the LMS: nothing shows until a submission is collected
        course.submission_dir("s1", PRACTICE_FORM).mkdir(parents=True)
    else:  # the ngshare service: the form in the course's own releases, or a paper in a student's own course
        _Service.courses = ["adlm", *(["adlm-practice_exam_A-s1"] if how == "ngshare own paper" else [])]
        _Service.released = ["01_layer_math", *([PRACTICE_FORM] if how == "ngshare" else [])]


@pytest.mark.parametrize("how", ["exchange folder", "submitted", "ngshare", "ngshare own paper"])
def test_force_refuses_to_redraw_a_form_students_hold_and_it_stays_collectable(tmp_path, how):
    """The outside testers' case: practice_exam_A released, then the exam drawn again as a roster
    with --force made it an unknown assignment while students could still submit it."""
    config = NO_PDFS + f'c.Exchange.root = "{tmp_path}/exchange"\n'
    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    if how.startswith("ngshare"):
        (tmp_path / "token").write_text("staff\n")
        config += (f'c.ExchangeService.url = "http://127.0.0.1:{service.server_address[1]}/services/ngshare"\n'
                   f'c.ExchangeService.token_file = "{tmp_path}/token"\n')
    course = make_course_copy(tmp_path, config, practice_form=True)
    _held_as(how, course, tmp_path)
    kept = [course.exam_dir(EXAM), course.source_dir(PRACTICE_FORM), course.release_dir(PRACTICE_FORM)]
    before = [_files(folder) for folder in kept]
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\ns1\ns2\n")
    try:
        refused = _cli(course, "exam", "generate", EXAM, "--roster", str(roster), "--force")
    finally:
        service.shutdown()
    held = "1 submission in submitted/" if how == "submitted" else "released into the exchange"
    assert refused.returncode == 2, refused.stdout
    assert f"students already hold {PRACTICE_FORM} ({held}); drawing {EXAM} again" in refused.stdout
    assert "a new id in c.Exam.exams" in refused.stdout and "Traceback" not in refused.stdout
    assert [_files(folder) for folder in kept] == before
    assert course.resolve([PRACTICE_FORM]) == [PRACTICE_FORM]  # what collect and grade look it up by
