"""Domain errors raised by services; the web layer maps each to a message and a status."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base of every error a user can cause; carries a translated message and an HTTP status."""

    status = 400
    default_message = _l("The request could not be processed.")

    def __init__(self, message: str | None = None):
        super().__init__(message or str(self.default_message))
        self.message = message or str(self.default_message)


class NotFound(DomainError):
    """The object does not exist or is not visible to the user."""

    status = 404
    default_message = _l("Not found.")


class PermissionDenied(DomainError):
    """The user may not do this; the attempt has already been recorded in the audit trail."""

    status = 403
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    """Someone else changed the object first (e.g. completed the task)."""

    status = 409
    default_message = _l("Someone else changed this first. Reload and try again.")


class InvalidInput(DomainError):
    """The submitted data is invalid; field errors, if any, are in `errors`."""

    status = 400
    default_message = _l("Please correct the errors below.")

    def __init__(self, message: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


class AlreadySubmitted(DomainError):
    """The same form was submitted before (a double click); `target_id` is what it created.

    Not a failure: the web layer answers with the first submission's result.
    """

    status = 303
    default_message = _l("This form was sent twice; it was saved only once. Here is the result.")

    def __init__(self, kind: str, target_id: int):
        super().__init__()
        self.kind = kind
        self.target_id = target_id
