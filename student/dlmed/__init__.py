"""Helpers the course notebooks import. Installed by students with `pip install ./student`."""

from .probe import hidden_check

__all__ = ["hidden_check"]
