"""One exception type for every problem a user can fix; the CLI turns it into two lines."""


class CourseError(Exception):
    """Something the user can fix: says what is wrong and, in `hint`, what to do next."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class ValidationFailed(CourseError):
    """`course validate` (or `course solutions`) found a defect in an assignment's tests."""
