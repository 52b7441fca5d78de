"""What a diagram may name: departments (the demo ones too), forms, roles, published processes."""

from app.core.processes.models import FormVersion
from app.core.processes.versions.lookup import called_versions, latest_version, version_decisions
from app.core.users.models import ROLES, Department
from app.engine import validation
from app.extensions import db

DEMO_DEPARTMENTS = {
    "sales": ("Sales", "销售部"),
    "pmc": ("PMC", "计划部(PMC)"),
    "engineering": ("Engineering", "技术部"),
    "production": ("Production", "生产部"),
    "quality": ("Quality", "品质部"),
    "warehouse": ("Warehouse", "仓储部"),
    "purchasing": ("Purchasing", "采购部"),
    "finance": ("Finance", "财务部"),
    "management": ("Management", "管理层"),
}


def department_aliases(departments: list[tuple[str, str, str]]) -> dict[str, str]:
    """Map every accepted lane name (key, English or Chinese name, lower-cased) to the key."""
    aliases: dict[str, str] = {}
    for key, name_en, name_zh in departments:
        for alias in (key, name_en, name_zh):
            aliases[alias.strip().lower()] = key
    return aliases


def db_catalog(extra_forms: set[str] | None = None) -> validation.Catalog:
    """The departments, forms, roles and published processes a diagram may name, read from
    the database."""
    rows = db.session.execute(db.select(Department.key, Department.name_en, Department.name_zh))
    forms = set(db.session.scalars(db.select(FormVersion.name).distinct()))
    return validation.Catalog(
        departments=department_aliases([tuple(r) for r in rows]),
        forms=forms | (extra_forms or set()),
        roles=set(ROLES),
        published=published_process,
    )


def published_process(process_id: str) -> validation.CalledProcess | None:
    """What a call activity calling a published process would run: its newest version and
    the versions that one pins (None when the process has no published version)."""
    version = latest_version(process_id)
    if version is None:
        return None
    reached = called_versions(version)
    return validation.CalledProcess(
        files=tuple(v.xml.encode("utf-8") for v in reached),
        decisions=tuple(d for v in reached for d in version_decisions(v).values()),
        reaches=tuple(dict.fromkeys(v.process_id for v in reached)),
    )


def demo_catalog(forms: set[str]) -> validation.Catalog:
    """The catalogue used when no database is set up: the demo departments."""
    return validation.Catalog(
        departments=department_aliases([(k, en, zh) for k, (en, zh) in DEMO_DEPARTMENTS.items()]),
        forms=forms,
        roles=set(ROLES),
    )
