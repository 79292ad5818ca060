"""The one base class of every error a user can cause.

An error that derives from :class:`GreenplanError` is the user's to fix: a file that is no plan, a store
that cannot be opened, a parameter of the wrong type, an output that cannot be written, a shape the engine
does not implement. The CLI prints its message as one line (``greenplan: error: …``) and exits 2; the
message names what was wrong and what to do next. Any other exception is a bug in greenplan and is reported
as one (``--debug`` shows its traceback).

Kept free of imports, so that every stage — readers included — can derive its errors from it.
"""
from __future__ import annotations


class GreenplanError(Exception):
    """An error the user can fix: its message is one line naming what was wrong and what to do next."""


class SourceError(GreenplanError, ValueError):
    """The sources given to a build cannot go into one store together (e.g. two share a plan identifier)."""
