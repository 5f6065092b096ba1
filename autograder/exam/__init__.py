"""Exams: a bank of parameterized questions (exam_bank/<question>/question.py), seeded variants per
student or per form, keys computed twice, and the `course exam` verbs."""
