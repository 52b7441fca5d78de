"""A process owner starts an instance of a published process from its page, to run the model
as it is (docs/FOREIGN_DIAGRAMS.md, "In the modeler"), and sees what the instance waits for.

The instance runs the newest published version with no subject and no start data: processes
that run for an order are started by the order itself (its own data and its one lifecycle),
never from here.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.processes import modeling
from app.core.processes import versions as processes
from app.core.submissions import uniqueness
from app.core.tasks import instances
from app.core.tasks.models import HumanTask, ProcessInstance
from app.core.users.models import User
from app.errors import NotFound
from app.extensions import db

SUBMISSION_KIND = "process_instance"


def start(actor: User, process_id: str, form_token: str) -> ProcessInstance:
    """Start the newest published version of the process; a second submit of the same form
    (a double click) starts nothing and answers with the first instance (AlreadySubmitted)."""
    modeling.ensure_modeler(actor, "start_instance", process_id)
    if processes.latest_version(process_id) is None:
        raise NotFound(_("This process has no published version to start."))
    claimed = uniqueness.claim_submission(actor, form_token, SUBMISSION_KIND)
    instance = instances.start_process(process_id, actor)
    uniqueness.bind_submission(claimed, instance.id)
    return instance


def instance(actor: User, instance_id: int) -> ProcessInstance:
    """One instance, for a process owner or admin; NotFound if there is none."""
    modeling.ensure_modeler(actor, "view_instance", str(instance_id))
    found = db.session.get(ProcessInstance, instance_id)
    if found is None:
        raise NotFound(_("This instance does not exist."))
    return found


def tasks(found: ProcessInstance) -> list[HumanTask]:
    """The instance's tasks, oldest first."""
    return list(
        db.session.scalars(
            db.select(HumanTask)
            .where(HumanTask.instance_id == found.id)
            .order_by(HumanTask.created_at, HumanTask.id)
        )
    )
