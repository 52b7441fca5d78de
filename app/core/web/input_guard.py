"""Refuse a NUL character in anything a request carries, before any view sees it.

Templates also get `input_bounds()` here (app/limits.py) for `maxlength`, `min`, `max` and
`step` on their inputs; the services check the same bounds.

PostgreSQL cannot store NUL in text, and no field of ours has a use for it: a form value, a
query argument, an upload's file name or a string in a JSON body with one is refused with 400
and a message, and nothing changes. One check for every request instead of one per field.
"""

from flask import Flask, jsonify, request
from flask_babel import gettext as _

from app import limits
from app.errors import InvalidInput

NUL = "\x00"


def _has_nul(value) -> bool:
    """Whether a JSON value holds NUL in any string or key."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def request_has_nul() -> bool:
    """Whether the current request carries NUL in its arguments, form, file names or JSON."""
    if NUL in request.path:
        return True
    for source in (request.args, request.form):
        for key, values in source.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    for key, upload in request.files.items(multi=True):
        if NUL in key or NUL in (upload.filename or ""):
            return True
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body:
            return True
        if b"\\u0000" in body:  # only then can the parsed body hold NUL
            return _has_nul(request.get_json(silent=True))
    return False


def register(app: Flask) -> None:
    """Install the check for every request, and give templates the bounds for their inputs."""
    app.jinja_env.globals["input_bounds"] = limits.bounds

    @app.before_request
    def refuse_nul():
        if not request_has_nul():
            return None
        error = InvalidInput(
            _(
                "The input contains a NUL character (\\0), which no field accepts. Remove it "
                "and try again; nothing was saved."
            )
        )
        if request.is_json:  # the modeler reads {"error": …} like its other refusals
            return jsonify({"error": error.message}), error.status
        raise error  # a page, or a fragment for htmx, from the one domain-error handler
