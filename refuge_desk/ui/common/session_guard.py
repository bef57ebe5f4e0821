"""One guard for "only with the vault open": a locked or signed-out window does nothing.

A command reached by a shortcut, a queued signal or a timer can arrive just after a lock; the
guarded method then returns quietly instead of touching a closed session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from refuge_desk.services.session import Session

P = ParamSpec("P")


class HasSession(Protocol):
    @property
    def session(self) -> Session | None: ...


H = TypeVar("H", bound=HasSession)


def open_session(holder: HasSession) -> Session | None:
    session = holder.session
    return session if session is not None and session.is_open else None


def needs_open_session(
    method: Callable[Concatenate[H, Session, P], None],
) -> Callable[Concatenate[H, P], None]:
    """``method(self, session, ...)`` runs only while ``self.session`` is open."""

    def guarded(self: H, /, *args: P.args, **kwargs: P.kwargs) -> None:
        session = open_session(self)
        if session is not None:
            method(self, session, *args, **kwargs)

    guarded.__name__ = method.__name__
    guarded.__qualname__ = method.__qualname__
    guarded.__doc__ = method.__doc__
    # No __wrapped__ on purpose: Qt reads a slot's signature to decide what to pass it.
    return guarded
