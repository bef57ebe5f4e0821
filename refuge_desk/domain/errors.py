"""Errors a person can act on. Their message is a plain sentence safe to show on screen.

Anything else that escapes is a bug: it is logged (redacted) and the person sees a generic
sentence, never a traceback.
"""


class UserError(Exception):
    """A problem the person can fix. ``str(err)`` is shown as it is."""


class ValidationError(UserError):
    """Input that breaks a rule. ``problems`` holds one plain sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class PermissionDenied(UserError):
    def __init__(self, message: str = "Your role does not allow this.") -> None:
        super().__init__(message)


class WrongCredentials(UserError):
    def __init__(self) -> None:
        super().__init__("Wrong user name or passphrase.")
        self.retry_after = 0.0  # seconds before the next attempt is allowed


class SignInThrottled(UserError):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"Too many wrong attempts. Try again in {max(1, round(seconds))} s.")


class VaultError(UserError):
    """The vault cannot be opened or used (in use, corrupt, newer version...)."""


class VaultInUse(VaultError):
    pass


class VaultCorrupt(VaultError):
    pass


class NotFound(UserError):
    pass


class StaleRecord(UserError):
    """Someone saved the record after this copy was opened; nothing was overwritten."""
