"""Comments on tasks: written with @mentions and files, read on the task page and in the
subject's timeline (every note about a subject: comments, reasons of sends back, withdrawals).

Who may comment, read the notes and download their files: `permissions.may_comment` (admins,
the departments the process involves, its requester, anyone @mentioned in it). A mention is
`@username` of an active user; each mentioned user (but the author) is notified once
(`task_mention`). Refusals are audited and raised as PermissionDenied.
"""

import re
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.audit import services as audit
from app.core.comments import files
from app.core.comments.models import NoteFile, NoteMention, TaskNote
from app.core.notifications import services as notifications
from app.core.subjects import services as subjects
from app.core.subjects.services import SubjectRef
from app.core.tasks.inbox import get_task
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db

KIND = "task_mention"
BODY_LIMIT = 4000
MAX_MENTIONS = 20
# "@" not glued to a word before it (an e-mail address), then a username's characters.
MENTION = re.compile(r"(?<![\w.@])@([\w.\-]{1,80})")


def register() -> None:
    """The notification a mentioned user gets (core setup)."""
    notifications.register_kind(KIND, "comments/_notice_mention.html", _l("I was @mentioned"))


def _involved_departments(instance_id: int) -> set[int]:
    return set(
        db.session.scalars(
            db.select(HumanTask.department_id)
            .where(HumanTask.instance_id == instance_id, HumanTask.department_id.is_not(None))
            .distinct()
        )
    )


def _mentioned_in(instance_id: int, user: User) -> bool:
    return (
        db.session.scalar(
            db.select(NoteMention.id)
            .join(TaskNote, TaskNote.id == NoteMention.note_id)
            .where(TaskNote.instance_id == instance_id, NoteMention.user_id == user.id)
            .limit(1)
        )
        is not None
    )


def may_read(user: User, instance: ProcessInstance | None) -> bool:
    """Whether the user may comment on the instance's tasks and read their notes and files."""
    if instance is None or not getattr(user, "is_authenticated", False):
        return False
    return permissions.may_comment(
        user,
        _involved_departments(instance.id),
        instance.started_by_id,
        _mentioned_in(instance.id, user),
    )


def _deny(user: User, action: str, object_type: str, object_id, subject, instance_id, ip):
    audit.record(
        user,
        "denied." + action,
        object_type,
        object_id,
        subject=subject,
        instance_id=instance_id,
        ip=ip,
    )
    db.session.flush()
    return PermissionDenied(
        _(
            "Only the departments working on this process, its requester and the people "
            "mentioned in it may read or write its comments."
        )
    )


def mentioned_users(body: str, author: User) -> list[User]:
    """The active users named as @username in the text (each once, not the author)."""
    names = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".-").lower()
        if name and name not in names:
            names.append(name)
    if not names:
        return []
    users = db.session.scalars(
        db.select(User).where(db.func.lower(User.username).in_(names), User.active.is_(True))
    )
    return [u for u in users if u.id != author.id]


def add_comment(
    task_id: int, author: User, body: str | None, uploads=(), ip: str | None = None
) -> TaskNote:
    """Add a comment (text and/or files) to a task; mentioned users are notified."""
    task = get_task(task_id)
    if not may_read(author, task.instance):
        raise _deny(
            author, "comment", "human_task", task.id, subjects.ref_of(task), task.instance_id, ip
        )
    errors: dict[str, str] = {}
    text = (body or "").replace("\r\n", "\n").strip()
    if len(text) > BODY_LIMIT:
        errors["body"] = _(
            "At most %(n)s characters (this has %(count)s).", n=BODY_LIMIT, count=len(text)
        )
    checked = files.check(uploads, errors)
    if not text and not checked and not errors:
        errors["body"] = _("Write a comment or attach a file.")
    mentioned = mentioned_users(text, author) if not errors else []
    if len(mentioned) > MAX_MENTIONS:
        errors["body"] = _("Mention at most %(n)s people in one comment.", n=MAX_MENTIONS)
    if errors:
        raise InvalidInput(errors=errors)
    note = TaskNote(
        instance_id=task.instance_id,
        task_id=task.id,
        subject_type=task.subject_type,
        subject_key=task.subject_key,
        author_id=author.id,
        kind="comment",
        body=text,
    )
    db.session.add(note)
    db.session.flush()
    for item in checked:
        db.session.add(
            NoteFile(
                note_id=note.id,
                file_name=item.file_name,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
                stored_name=files.store(item),
            )
        )
    for user in mentioned:
        db.session.add(NoteMention(note_id=note.id, user_id=user.id))
    subject = subjects.ref_of(task)
    audit.record(
        author,
        "task.comment",
        "task_note",
        note.id,
        data={
            "task": task.id,
            "step": task.name,
            "mentions": [u.username for u in mentioned],
            "files": [c.file_name for c in checked],
        },
        subject=subject,
        instance_id=task.instance_id,
        ip=ip,
    )
    notifications.notify_users(
        [u.id for u in mentioned],
        subject,
        KIND,
        {
            "task_id": task.id,
            "step": task.name,
            "step_zh": task.name_zh,
            "by": author.display_name,
            "excerpt": text[:200],
        },
    )
    db.session.flush()
    return note


def notes_of_task(task: HumanTask) -> list[TaskNote]:
    """The task's notes (comments and send-back reasons), oldest first."""
    return list(
        db.session.scalars(
            db.select(TaskNote)
            .where(db.or_(TaskNote.task_id == task.id, TaskNote.from_task_id == task.id))
            .order_by(TaskNote.id)
        )
    )


def timeline(subject: SubjectRef | None, viewer: User) -> list[TaskNote]:
    """Every note about the subject the viewer may read, oldest first."""
    if subject is None:
        return []
    notes = db.session.scalars(
        db.select(TaskNote)
        .where(TaskNote.subject_type == subject.type, TaskNote.subject_key == subject.key)
        .order_by(TaskNote.id)
    )
    readable: dict[int | None, bool] = {}
    shown = []
    for note in notes:
        if note.instance_id not in readable:
            readable[note.instance_id] = may_read(viewer, note.instance)
        if readable[note.instance_id]:
            shown.append(note)
    return shown


def get_file(file_id: int, viewer: User, ip: str | None = None) -> tuple[NoteFile, Path]:
    """A comment's file and where it is stored, for a reader allowed to see the note."""
    found = db.session.get(NoteFile, file_id)
    if found is None:
        raise NotFound(_("This file does not exist."))
    note = found.note
    if not may_read(viewer, note.instance):
        raise _deny(
            viewer,
            "comment_file",
            "note_file",
            found.id,
            subjects.ref_of(note),
            note.instance_id,
            ip,
        )
    path = files.path_of(found.stored_name)
    if path is None:
        raise NotFound(_("The file is missing from the storage directory."))
    return found, path


def task_panels(task: HumanTask, page) -> list:
    """The task page's comments (below): the notes, and the form for who may write."""
    from app.core.tasks.registry import Panel

    if not may_read(page.viewer, task.instance):
        return []
    context = {
        "task": task,
        "notes": notes_of_task(task),
        "limit": BODY_LIMIT,
        "types": ",".join(sorted(files.TYPES)),
        "max_files": files.MAX_FILES,
        "max_size": files.shown_size(files.limit_bytes()),
    }
    return [Panel("below", "comments/_task_comments.html", context, order=30)]


def timeline_panel(subject: SubjectRef | None, viewer: User, slot: str):
    """The subject's notes as a Panel for the subject's own page (in `slot` of that page)."""
    from app.core.tasks.registry import Panel

    notes = timeline(subject, viewer)
    return Panel(slot, "comments/_timeline.html", {"notes": notes}, order=10) if notes else None
