"""The course's own options, declared once with their help text (set them in course_config.py)."""

from datetime import datetime

from traitlets import Bool, Dict, Enum, Float, Int, List, TraitError, Unicode, validate
from traitlets.config import Configurable

_ASSIGNMENT_KEYS = {"title", "deadline", "points"}


class Course(Configurable):
    title = Unicode("", help="The course's name, shown in reports and feedback.").tag(config=True)
    solutions_directory = Unicode(
        "solutions", help="Where `course solutions` writes executed solution notebooks."
    ).tag(config=True)
    cases_directory = Unicode(
        "tests/submissions",
        help="Known-mistake and alternative-solution submissions, one folder per assignment.",
    ).tag(config=True)
    assignments = Dict(
        help="Assignment id -> {'title': str, 'deadline': ISO 8601 str, 'points': {grade_id: points}}."
    ).tag(config=True)

    @validate("assignments")
    def _check_assignments(self, proposal):
        for assignment_id, entry in proposal["value"].items():
            where = f"c.Course.assignments[{assignment_id!r}]"
            if not isinstance(entry, dict) or set(entry) != _ASSIGNMENT_KEYS:
                raise TraitError(f"{where} needs exactly the keys {sorted(_ASSIGNMENT_KEYS)}")
            try:
                due = datetime.fromisoformat(entry["deadline"])
            except (TypeError, ValueError):
                raise TraitError(f"{where}['deadline'] is not an ISO 8601 date: {entry['deadline']!r}")
            if due.tzinfo is None:  # compared with submission times, which always carry theirs
                raise TraitError(f"{where}['deadline'] names no time zone: {entry['deadline']!r} (add +00:00 for UTC)")
            for grade_id, points in entry["points"].items():
                if not isinstance(points, (int, float)) or points <= 0:
                    raise TraitError(f"{where}['points'][{grade_id!r}] must be a positive number")
        return proposal["value"]


class Checks(Configurable):
    validate_seed = Int(
        0, help="Seed for the inputs hidden checks draw in `course validate` and `course solutions`."
    ).tag(config=True)
    validate_seeds = Int(
        5, min=1, help="Seeds `course validate` judges every case under (validate_seed, validate_seed + 1, ...), "
        "all in the case's one run: a case whose points differ between them fails, since two students "
        "handing in the same notebook would get different grades.",
    ).tag(config=True)
    workers = Int(0, help="Notebooks run at once by `course validate`; 0 means one per CPU core.").tag(
        config=True
    )
    case_retries = Int(
        1, min=0, help="Further tries `course validate` gives a case whose run the machine broke (a kernel that died "
        "as it started, under load), before it reports the case as not run. A check's defect is never retried.",
    ).tag(config=True)
    mutant_kill_rate = Float(
        0.95, min=0, max=1, help="Share of the solution's mutants that are not recorded as equivalent which the "
        "hidden checks must kill (`course validate --mutants`), per assignment.",
    ).tag(config=True)


class Grading(Configurable):
    """How `course grade` runs submissions. Per-cell wall time is nbgrader's c.Execute.timeout."""

    notebook_timeout = Int(1800, help="Wall-clock seconds one whole notebook may run.").tag(config=True)
    memory_mb = Int(6000, help="Memory (resident, all processes of a run together) before the run is stopped as out of memory.").tag(config=True)
    output_chars = Int(
        200_000, help="Characters of output kept per notebook; the rest is dropped and the cell marked truncated."
    ).tag(config=True)
    source_chars = Int(
        1_000_000, min=1, help="Characters of cell source (markdown, code, raw, and attachments) the graded copy in "
        "autograded/ keeps per notebook; cells past it are cut there, with a note. Grading reads the whole notebook."
    ).tag(config=True)
    max_submission_mb = Int(
        100, min=1, help="Largest file of a submission grading reads (the notebook, timestamp.txt, "
        "submission_secret.txt); a larger one makes the submission invalid, unread."
    ).tag(config=True)
    capture_mb = Int(
        64, help="Largest record of hidden-check outcomes read back from a run; what lies beyond counts as not run."
    ).tag(config=True)
    max_processes = Int(
        1024, help="Processes and threads one run may have at once (RLIMIT_NPROC of its own user); stops fork bombs."
    ).tag(config=True)
    max_file_mb = Int(512, help="Largest file a run may write (RLIMIT_FSIZE).").tag(config=True)
    disk_mb = Int(
        1024, min=1, help="What a run may write in all (its folder, /tmp and /dev/shm: a tmpfs of this size, so it also "
        "takes memory while used) before it is stopped as out of disk. Needs grading as root."
    ).tag(config=True)
    workers = Int(0, help="Submissions graded at once on CPU slots; 0 means one per CPU core.").tag(config=True)
    gpus = Unicode("auto", help="GPUs to grade on: 'auto' (every visible one), 'none', or indices such as '0,1'.").tag(
        config=True
    )
    jobs_per_gpu = Int(1, help="Runs sharing one GPU; each gets an equal share of its memory.").tag(config=True)
    threads_per_run = Int(
        0, help="CPU threads each run (its kernel and its judging) may use, for grading and `course validate` alike; "
        "0 means the cores divided among the runs going at once, at least 1."
    ).tag(config=True)
    warm_kernels = Bool(
        True, help="While a submission runs, start its slot's next kernel (in a jail and a sandbox user of its own, "
        "with the assignment's imports done); each serves one submission only. Local backend."
    ).tag(config=True)
    retries = Int(2, help="Extra attempts for a submission whose run failed for infrastructure reasons.").tag(config=True)
    seed = Int(0, help="Mixed into each submission's seed; the seeds of its hidden-check inputs and its kernel.").tag(
        config=True
    )
    late_penalty_per_day = Float(
        0.1, help="Share of the assignment's maximum points deducted per started day after the deadline."
    ).tag(config=True)
    late_penalty_max = Float(1.0, help="Largest share of the points a late penalty can take.").tag(config=True)
    late_grace_minutes = Int(15, help="Minutes after the deadline that still count as on time.").tag(config=True)
    feedback_before_deadline = Enum(
        ["full", "visible", "none"],
        "visible",
        help="What feedback shows a student before the deadline (their extension included): 'full' (scores and the "
        "hidden checks' verdicts, which lets students probe hidden tests by resubmitting), 'visible' (only whether "
        "each test cell's own visible asserts passed, which students can run themselves), or 'none' (that the "
        "submission was received and graded).",
    ).tag(config=True)
    watch_interval_seconds = Float(
        10.0, help="`course watch`: seconds between looks for new submissions."
    ).tag(config=True)


class Sandbox(Configurable):
    """How student code is isolated while it runs."""

    mode = Enum(
        ["auto", "bubblewrap"],
        "auto",
        help="'bubblewrap' refuses to grade without it; 'auto' falls back loudly to the strongest isolation "
        "available (an unprivileged user with limits) when bubblewrap is missing.",
    ).tag(config=True)
    uid_base = Int(
        61000, help="Runs execute as unprivileged users from this uid up (when graded as root): one per grading "
        "process, never shared by two at once."
    ).tag(
        config=True
    )
    show = List(Unicode(), help="Extra folders student code may read, e.g. a dataset's. Runs see only the system's "
                "programs and libraries, the Python environment, the student library and their own folder; "
                "never the course, the grader or the gradebook.").tag(config=True)


class Collect(Configurable):
    student_pattern = Unicode(
        r"^(?P<student>[A-Za-z0-9][A-Za-z0-9.-]*)_",
        help="Regular expression over a file name in the LMS export; its 'student' group is the student id.",
    ).tag(config=True)
    max_entry_mb = Int(
        100, min=1, help="Largest a notebook in an LMS export may expand to (MB of 2**20 bytes), counted while it is "
        "decompressed; a larger one is reported and not placed, the others are collected.",
    ).tag(config=True)
    max_archive_mb = Int(
        4096, min=1, help="What all entries of one LMS export read by `course collect` may expand to together (MB); "
        "entries read after it is spent are reported and not placed. Bounds the work a zip bomb can cause.",
    ).tag(config=True)


class ExchangeService(Configurable):
    """The exchange as a network service (ngshare on the hub) rather than nbgrader's shared folder."""

    url = Unicode(
        "", help="ngshare's URL, e.g. 'http://127.0.0.1:8000/services/ngshare'; empty means nbgrader's folder "
        "exchange at c.Exchange.root, which the hub and every user's server must see.",
    ).tag(config=True)
    token_file = Unicode(
        "", help="A file holding the staff's JupyterHub API token, which ngshare knows as an admin "
        "(scripts/hub.sh writes one); $JUPYTERHUB_API_TOKEN, when set, is used instead.",
    ).tag(config=True)
    timeout = Float(10.0, help="Seconds to wait for the service's answer before calling it down.").tag(config=True)
    instructors = List(Unicode(), help="Hub users who teach the course on the service, besides the staff's token "
                       "(the formgrader acts as them).").tag(config=True)
    max_file_mb = Int(
        20, min=1, help="Largest file a student may submit through the service (MB of 2**20 bytes); the service "
        "refuses a larger one and the student's Assignments panel says why. scripts/hub.sh starts ngshare with it.",
    ).tag(config=True)
    max_submission_mb = Int(
        50, min=1, help="What all files of one submission through the service may come to together (MB); refused "
        "like a file over c.ExchangeService.max_file_mb.",
    ).tag(config=True)
    enroll_batch = Int(
        25, min=1, help="Students enrolled on the service per request: ngshare takes longer the more a course has "
        "(300 in one request outlasted the 10 s c.ExchangeService.timeout; 25 at a time took 11 s in all).",
    ).tag(config=True)


class LMS(Configurable):
    """The course's LMS, reached through LTI 1.3: the hub's logins (HUB_AUTH=lti13), the roster
    (`course enroll --from-lms`, Names and Role Provisioning) and grades (`course passback`,
    Assignment and Grade Services). The platform's values come from its tool registration page."""

    issuer = Unicode("", help="The platform's issuer (iss), e.g. 'https://moodle.example.edu'; empty: no LMS.").tag(
        config=True)
    client_id = Unicode("", help="The client id the platform gave this tool when it was registered.").tag(config=True)
    deployment_id = Unicode("", help="The deployment id of the tool in the platform.").tag(config=True)
    context_id = Unicode(
        "", help="The LMS course's context id (the launch's context claim): launches from any other course are "
        "refused, and while it is unset every launch is. A staff member's first launch from the course shows the "
        "line to add (`c.LMS.context_id = \"...\"`), which the hub reads as it starts.").tag(config=True)
    authorize_url = Unicode("", help="The platform's OIDC authentication request URL (Moodle: 'Authentication "
                            "request URL'; Canvas: '/api/lti/authorize_redirect').").tag(config=True)
    jwks_url = Unicode("", help="The platform's public keyset URL, which checks a launch's signature.").tag(config=True)
    token_url = Unicode("", help="The platform's access token URL (client credentials), for the roster and grades."
                        ).tag(config=True)
    private_key_file = Unicode(
        "", help="The tool's RSA private key (PEM): it signs the token requests. Root's alone (mode 600 or stricter): "
        "a key others can read is refused. `course lms key` writes one and prints the public keyset to register.",
    ).tag(config=True)
    key_id = Unicode("adlm-tool-1", help="The kid the tool's public key is registered under.").tag(config=True)
    memberships_url = Unicode(
        "", help="The course's NRPS memberships URL; empty: the one the latest launch from c.LMS.context_id carried.",
    ).tag(config=True)
    lineitems_url = Unicode(
        "", help="The course's AGS line items URL; empty: the one the latest launch from c.LMS.context_id carried.",
    ).tag(config=True)
    username_key = Unicode(
        "sub", help="The launch claim the hub user name comes from: a top-level claim ('sub', 'email') or, as "
        "'custom_NAME', the custom parameter NAME (Moodle: custom 'username=$User.username'; Canvas: "
        "'username=$Canvas.user.loginId'; both read with 'custom_username'). It must be stable: a user whose value "
        "changes becomes a new user.",
    ).tag(config=True)
    username_prefix = Unicode(
        "", help="Put before every LMS user's hub name, e.g. 'lms-', so that LMS names can never be the name of an "
        "account the machine already has; also makes numeric subs (Moodle's) valid Unix names.",
    ).tag(config=True)
    staff_roles = List(Unicode(), [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    ], help="LTI context roles that make a member staff (formgrader, never enrolled as a student); a short name "
        "such as 'Instructor' stands for the context role (membership#Instructor; 'TeachingAssistant' for "
        "membership/Instructor#TeachingAssistant); other roles are compared as full URIs.").tag(config=True)
    timeout = Float(15.0, help="Seconds to wait for any answer of the platform before calling it down.").tag(config=True)


class Slurm(Configurable):
    """How `course grade --backend slurm` asks for resources: one array task per submission."""

    partition = Unicode("", help="Partition the tasks run in; empty means the cluster's default.").tag(config=True)
    gres = Unicode("gpu:1", help="Generic resources per task (sbatch --gres); 'none' asks for no GPU.").tag(config=True)
    time_minutes = Int(
        0, help="Time limit per task (sbatch --time); 0 means c.Grading.notebook_timeout plus 5 minutes for set-up."
    ).tag(config=True)
    mem_gb = Float(
        0, help="Memory per task (sbatch --mem); 0 means c.Grading.memory_mb plus 2 GB for the grader and kernel start."
    ).tag(config=True)
    cpus_per_task = Int(2, help="CPU cores per task (sbatch --cpus-per-task).").tag(config=True)
    array_parallelism = Int(0, help="Tasks of one array running at once (sbatch --array=...%K); 0 means no limit.").tag(
        config=True
    )
    setup = Unicode(
        "", help="Shell lines each task runs first, e.g. 'module load cuda/12.4'; the grader's Python must then work."
    ).tag(config=True)
    sbatch_options = List(Unicode(), help="Further sbatch options, e.g. ['--account=med-dl', '--qos=short'].").tag(
        config=True
    )
    poll_seconds = Float(5.0, help="Seconds between looks at the queue while tasks run.").tag(config=True)
    accounting_grace_seconds = Float(
        60.0, help="How long a task that left the queue without a record may be missing from sacct before it "
        "counts as lost (accounting lags the queue)."
    ).tag(config=True)


class Exam(Configurable):
    """The exam generator: its question bank, the exams drawn from it, and how `course exam check` tests it."""

    @validate("exams")
    def _check_exams(self, proposal):
        for exam_id, entry in proposal["value"].items():
            if not isinstance(entry, dict) or set(entry) != {"title", "questions"} or not entry["questions"]:
                raise TraitError(f"c.Exam.exams[{exam_id!r}] needs a 'title' and a non-empty 'questions' list")
            if len(set(entry["questions"])) != len(entry["questions"]):
                raise TraitError(f"c.Exam.exams[{exam_id!r}] asks a question twice")
        return proposal["value"]

    bank_directory = Unicode("exam_bank", help="Folder of questions, one <question>/question.py each.").tag(config=True)
    exams = Dict(help="Exam id -> {'title': str, 'questions': [question id, ...]} in the order they are asked.").tag(
        config=True
    )
    output_directory = Unicode("exams", help="Where `course exam generate` writes each exam's papers and keys.").tag(
        config=True
    )
    secret_file = Unicode(
        ".exam-secret", help="File (kept out of git) holding the secret that seeds per-student variants; "
        "made on first use. Whoever has it can rebuild every student's key."
    ).tag(config=True)
    print_pdfs = Bool(True, help="Print the forms' papers and keys to PDF with headless Chromium (a few seconds "
                      "each); off, only the HTML pages are written, which print from any browser.").tag(config=True)
    check_seeds = Int(1000, help="Seeds `course exam check` runs every generator over.").tag(config=True)
    variant_seconds = Float(5.0, help="Longest a generator may take for one variant and its executed key.").tag(
        config=True
    )
    harder_gap = Float(0.2, help="`course exam analyze` flags a variant whose facility is this much below its "
                       "siblings' (and significantly so).").tag(config=True)
    analysis_alpha = Float(0.05, help="Significance level of Fisher's exact test behind a flagged variant.").tag(
        config=True
    )
    analysis_min_students = Int(5, help="Fewest students a variant (and its siblings) needs before it can be flagged.").tag(
        config=True
    )
