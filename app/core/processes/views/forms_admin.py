"""Process owners view and edit the forms' JSON Schemas, preview them and publish versions."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.processes import form_library as library
from app.core.processes import forms, modeling
from app.core.processes import versions as processes
from app.core.web import commit
from app.errors import NotFound
from app.i18n import current_locale

bp = Blueprint("forms_admin", __name__, url_prefix="/forms", template_folder="../templates")


@bp.get("")
@login_required
def index():
    """Every form with its newest version and the processes that use it."""
    modeling.ensure_modeler(current_user, "list", "forms")
    return render_template("forms_admin/index.html", rows=library.library_rows())


@bp.get("/new")
@login_required
def new():
    """Start a new form from a starter schema under the given name."""
    modeling.ensure_modeler(current_user, "create", "form")
    name = request.args.get("name", "").strip()
    if not library.NAME.fullmatch(name):
        message = _("Use 2-60 lower-case letters, digits or underscores, starting with a letter.")
        flash(message, "error")
        return redirect(url_for("forms_admin.index"))
    return redirect(url_for("forms_admin.edit", name=name))


@bp.route("/<name>", methods=["GET", "POST"])
@login_required
def edit(name: str):
    """The schema as text, its rendered preview, and publishing it as a new version."""
    modeling.ensure_modeler(current_user, "edit", f"form {name}")
    versions = library.form_versions(name)
    if not versions and not library.NAME.fullmatch(name):
        raise NotFound(_("This form does not exist."))
    if request.method == "POST":
        text = request.form.get("content", "")
    elif versions:
        text = versions[0].content
    else:
        text = library.starter_text()
    doc, problems = library.check_text(text)
    if request.method == "POST" and request.form.get("action") == "publish" and not problems:
        version, created = processes.deploy_form(name, text.encode("utf-8"), current_user)
        commit()
        if created:
            flash(
                _(
                    "Form %(name)s version %(n)s was published. Processes use it from their next "
                    "published version; running orders keep the form they started with.",
                    name=name,
                    n=version.number,
                ),
                "success",
            )
        else:
            message = _("Nothing changed: version %(n)s has this content.", n=version.number)
            flash(message, "success")
        return redirect(url_for("forms_admin.edit", name=name))
    preview = forms.field_views(doc, current_locale()) if doc is not None and not problems else []
    title = forms.form_title(doc, current_locale()) if preview else name
    status = 400 if request.method == "POST" and problems else 200
    return render_template(
        "forms_admin/edit.html",
        name=name,
        text=text,
        problems=problems,
        preview=preview,
        title=title,
        versions=versions,
        used_by=library.used_by(name) if versions else [],
    ), status
