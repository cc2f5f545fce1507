"""User-facing errors: the CLI prints their message as one line on stderr and exits non-zero."""


class AdbibError(Exception):
    """A problem the user can act on (bad input, bad database, bad option)."""

    exit_code = 1


class UsageError(AdbibError):
    """A malformed query or option value."""

    exit_code = 2


class DatabaseError(AdbibError):
    """The database file cannot be used (not SQLite, from a newer adbib, read-only, busy)."""
