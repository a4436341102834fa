"""User-facing errors: each carries one clear message and the CLI exit code it maps to."""

from __future__ import annotations

from pathlib import Path

# Exit codes, the same for every command: the table in the README ("Exit codes") and
# `riskon --help` say the same; the publish workflow branches on 0, 5 and 6.
EXIT_OK = 0
EXIT_FAILURE = 1  # unexpected crash (a bug): traceback shown
EXIT_USAGE = 2  # bad command line (click's own code, and UserError)
EXIT_CONFIG = 3  # invalid settings
EXIT_CONTENT = 4  # invalid editor content
EXIT_DATA = 5  # no usable market data: nothing to build from, or a fetch that got nothing
EXIT_STALE = 6  # done (site built / store updated), but some inputs failed to fetch or are stale


class UserError(Exception):
    """A problem the user can fix; shown as one line per problem, never a traceback.

    This base class is a problem with what was asked (an unknown --source, a bad --week, an
    --out folder riskon did not make): the exit code of a bad command line.
    """

    exit_code = EXIT_USAGE

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def lines(self) -> list[str]:
        return [self.message] if not self.problems else list(self.problems)


class ConfigError(UserError):
    exit_code = EXIT_CONFIG

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: invalid settings", [f"{path}: {p}" for p in problems])


class ContentError(UserError):
    exit_code = EXIT_CONTENT

    @classmethod
    def at(cls, path: Path, line: int | None, message: str) -> ContentError:
        """`path[:line]: message`, the form of every content problem."""
        return cls(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class DataError(UserError):
    exit_code = EXIT_DATA
