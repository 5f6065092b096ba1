# The one place the course is configured. It is a traitlets config file: `course` loads it,
# and nbgrader loads it through nbgrader_config.py, so formgrader and plain `nbgrader`
# commands see exactly the same settings. Every option below is documented in
# autograder/course/settings.py (ours) or in `nbgrader --help-all` (nbgrader's).
c = get_config()  # noqa: F821 - provided by the traitlets config loader

# --- nbgrader -------------------------------------------------------------------------
c.CourseDirectory.course_id = "adlm"
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
# nbgrader's defaults, and the reviewed files beside each source that are for staff only (the
# requirement table and the equivalent mutants, which name every known mistake): never released.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "requirements.toml", "equivalent_mutants.toml"]
# Per-cell execution limit, used by nbgrader and by our own runs alike. Training cells of 04 take
# tens of seconds on a busy 2-core CPU; a runaway loop still ends in minutes.
c.Execute.timeout = 300
# nbgrader's exchange on a JupyterHub (scripts/hub.sh): `course release --exchange` publishes
# there, `course collect --exchange` and `course watch --exchange` take submissions from it.
c.Exchange.root = "/usr/local/share/nbgrader/exchange"

# --- the course -----------------------------------------------------------------------
c.Course.title = "Applied Deep Learning in Medicine"
c.Course.solutions_directory = "solutions"
c.Course.cases_directory = "tests/submissions"

# Each assignment: its title, its deadline (ISO 8601, UTC) and the points of every graded
# cell by nbgrader grade_id. The source notebook's cell metadata must carry the same points;
# `course release` refuses to release when they differ.
c.Course.assignments = {
    "01_layer_math": {
        "title": "Layer math and manual backpropagation",
        "deadline": "2027-01-15T23:59:00+00:00",
        "points": {
            "test_activations": 2,
            "test_softmax": 2,
            "test_activation_grads": 3,
            "test_dense_forward": 3,
            "test_mse_bce": 2,
            "test_cross_entropy": 2,
            "test_bce_with_logits_grad": 2,
            "test_mlp_forward": 2,
            "test_mlp_backward": 4,
            "test_numerical_gradient": 3,
            "test_relative_error": 2,
            "test_autograd_gradients": 3,
        },
    },
    "02_training_loop": {
        "title": "A training loop for an MLP on the breast cancer data",
        "deadline": "2027-01-29T23:59:00+00:00",
        "points": {
            "test_split_data": 2,
            "test_standardize": 2,
            "test_make_loader": 2,
            "test_mlp": 3,
            "test_train_one_epoch": 3,
            "test_evaluate": 3,
            "test_fit": 2,
            "discussion": 3,
        },
    },
    "03_kfold_cv": {
        "title": "How variable is a result? k-fold cross-validation",
        "deadline": "2027-02-12T23:59:00+00:00",
        "points": {
            "test_fold_indices": 3,
            "test_cross_validate": 4,
            "test_summarize_scores": 2,
            "test_baseline_cv": 2,
            "test_repeated_cv": 2,
            "discussion": 3,
        },
    },
    "04_transfer_resnet": {
        "title": "Transfer learning with a frozen and an unfrozen ResNet-18",
        "deadline": "2027-03-05T23:59:00+00:00",
        "points": {
            "test_build_transforms": 2,
            "test_make_datasets": 2,
            "test_build_model": 3,
            "test_count_trainable": 1,
            "test_make_optimizer": 2,
            "test_set_train_mode": 2,
            "test_train_one_epoch": 3,
            "test_evaluate": 2,
            "test_run_experiment": 2,
            "discussion": 3,
        },
    },
}

# --- validation and grading runs --------------------------------------------------------
# Seed of the inputs hidden checks draw during `course validate` and `course solutions`;
# grading draws fresh inputs per submission.
c.Checks.validate_seed = 20261121
# How many seeds `course validate` judges every case under (validate_seed, validate_seed + 1, ...):
# a case whose points differ between them fails, since two students handing in the same notebook
# would get different grades.
c.Checks.validate_seeds = 5
# Notebooks executed at once by `course validate` (0: one per CPU core).
c.Checks.workers = 0

# What feedback shows before a student's deadline: "full", "visible" (the visible asserts'
# verdicts only) or "none"; hidden-check verdicts before it would let students probe them.
c.Grading.feedback_before_deadline = "visible"

# --- exams ----------------------------------------------------------------------------
# Questions live in exam_bank/<id>/question.py; `course exam check` tests every generator.
# The practice exam's form A (--seed 2027) is committed and published with worked answers (README).
c.Exam.exams = {
    "practice_exam": {
        "title": "Practice exam: Applied Deep Learning in Medicine",
        "questions": [
            "relu_linear_pieces", "softmax_probability", "dense_layer_output", "activation_derivative",
            "binary_cross_entropy", "kl_divergence", "kfold_training_size", "ridge_slope",
            "backprop_two_layer", "conv_output_size", "conv_parameter_count", "residual_block_parameters",
            "requires_grad_semantics", "frozen_trainable_parameters", "pointwise_mutual_information",
            "random_walk_probability", "link_prediction_score", "vae_kl_term", "gan_losses",
            "class_activation_map", "partial_dependence", "lime_surrogate_slope", "stable_softmax_code",
            "transfer_learning_explained",
        ],
    },
}
c.Exam.print_pdfs = True  # forms' papers and keys as PDFs too, printed by headless Chromium
