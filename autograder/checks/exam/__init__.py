"""The `exam:<question>` family of hidden checks and the answer types it judges: what grading (and an
otter export's kernel) needs of the exam package, kept here so that grading never imports the exam
product built on it. `answers.py` registers the family with `checks.register_family` when imported."""
