"""All models, imported so Alembic and the app see every table."""

from app.models.audit import AuditEvent
from app.models.confirmations import Confirmation, ConfirmationToken, Notification
from app.models.instances import HumanTask, ProcessInstance
from app.models.orders import (
    Attachment,
    ChangeRequest,
    Customer,
    Order,
    OrderLine,
    OrderRevision,
    Product,
    ProductionLine,
    ProductLineRate,
)
from app.models.planning import CalendarDay, PlanSlot, ProductionPlan, RushRequest
from app.models.processes import (
    FormVersion,
    InstanceMigration,
    MigrationBatch,
    ProcessDraft,
    ProcessVersion,
    process_version_form,
)
from app.models.submissions import FormSubmission, NumberCounter
from app.models.users import ROLES, Department, LoginThrottle, User, UserSession

__all__ = [
    "Attachment",
    "AuditEvent",
    "CalendarDay",
    "ChangeRequest",
    "Confirmation",
    "ConfirmationToken",
    "Notification",
    "OrderRevision",
    "PlanSlot",
    "ProcessDraft",
    "ProductionPlan",
    "RushRequest",
    "ProductionLine",
    "ProductLineRate",
    "Customer",
    "Department",
    "FormSubmission",
    "FormVersion",
    "HumanTask",
    "InstanceMigration",
    "LoginThrottle",
    "MigrationBatch",
    "NumberCounter",
    "Order",
    "OrderLine",
    "ProcessInstance",
    "ProcessVersion",
    "Product",
    "ROLES",
    "User",
    "UserSession",
    "process_version_form",
]
