"""All models, imported so Alembic and the app see every table."""

from app.models.audit import AuditEvent
from app.models.instances import HumanTask, ProcessInstance
from app.models.orders import Customer, Order, OrderLine, Product
from app.models.processes import FormVersion, ProcessVersion, process_version_form
from app.models.users import ROLES, Department, User

__all__ = [
    "AuditEvent",
    "Customer",
    "Department",
    "FormVersion",
    "HumanTask",
    "Order",
    "OrderLine",
    "ProcessInstance",
    "ProcessVersion",
    "Product",
    "ROLES",
    "User",
    "process_version_form",
]
