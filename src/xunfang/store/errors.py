"""The errors the store raises on purpose: each names the field and the rule it broke."""

from __future__ import annotations

from collections.abc import Sequence

from xunfang._errors import Problem, XunfangError, problems_message


class StoreError(XunfangError):
    """Base class of the store's errors."""


class StoreInputError(StoreError, ValueError):
    """Input the store refused; nothing was written. ``problems`` lists every one found.

    Each :class:`~xunfang._errors.Problem` names the source (``file``), the ``row`` (a file's
    own data row where the batch carries it, as :attr:`~xunfang.store.repo.IncidentIn.row`;
    else the 1-based place in the batch; or ``None``), the ``column`` (the field) and the
    ``rule``. The web layer answers 422
    with ``[p.as_dict() for p in exc.problems]``.
    """

    def __init__(self, problems: Sequence[Problem], *, source: str = "input") -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(problems_message(self.problems, source, ", nothing stored",
                                          limit=20))


class NotFound(StoreError, LookupError):
    """An id that names nothing in the store (the web layer answers 404)."""

    def __init__(self, kind: str, ident: object) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} with id {ident!r}")


class Conflict(StoreError, ValueError):
    """A write that clashes with what is stored, e.g. a user name taken (409)."""


class AuthError(StoreError):
    """Login refused: wrong name or password, or the account is locked (401).

    ``locked_until`` is set (naive UTC) when the account is locked by throttling; the message
    never says whether the name exists.
    """

    def __init__(self, message: str, *, locked_until: object = None) -> None:
        self.locked_until = locked_until
        super().__init__(message)


class Forbidden(StoreError, PermissionError):
    """The user's role does not permit the action (403)."""

    def __init__(self, user: str, role: str, action: str) -> None:
        self.user = user
        self.role = role
        self.action = action
        super().__init__(f"user {user!r} (role {role}) may not {action}")


class WriteFailed(StoreError):
    """The database failed a write the store's checks had passed (an error of its own, not a
    lost connection); the transaction was rolled back, nothing was written (500)."""


class DatabaseUnavailable(StoreError, ConnectionError):
    """The database could not be reached after the retries (503); nothing was half-written."""
