"""Process and form versions: deploying, looking versions up, exporting.

catalog.py says what a diagram may name, deploying.py stores forms and processes as versions,
lookup.py finds versions and their parsed definitions, export.py writes the newest back to files.
Callers import the names from here.
"""

from app.core.processes.versions.catalog import (
    DEMO_DEPARTMENTS,
    db_catalog,
    demo_catalog,
    department_aliases,
    published_process,
)
from app.core.processes.versions.deploying import (
    Deployment,
    DeployReport,
    called_process_ids,
    content_hash,
    deploy_directories,
    deploy_form,
    deploy_process,
    series,
    version_hash,
)
from app.core.processes.versions.export import export_directories
from app.core.processes.versions.lookup import (
    called_versions,
    definition_for,
    display_name,
    latest_form,
    latest_version,
    pinned_form,
    process_properties,
    version_decisions,
)

__all__ = [
    "DEMO_DEPARTMENTS",
    "DeployReport",
    "Deployment",
    "called_process_ids",
    "called_versions",
    "content_hash",
    "db_catalog",
    "definition_for",
    "demo_catalog",
    "department_aliases",
    "deploy_directories",
    "deploy_form",
    "deploy_process",
    "display_name",
    "export_directories",
    "latest_form",
    "latest_version",
    "pinned_form",
    "process_properties",
    "published_process",
    "series",
    "version_decisions",
    "version_hash",
]
