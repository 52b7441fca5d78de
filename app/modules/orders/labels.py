"""Translated labels shared by several pages."""

from flask_babel import lazy_gettext as _l

SPEC_LABELS = {
    "structure_function": _l("Product structure and function"),
    "dimensions_performance": _l("Dimensions and performance"),
    "technical_requirements": _l("Technical requirements"),
    "process_requirements": _l("Process (workmanship) requirements"),
    "quality_requirements": _l("Quality requirements"),
    "packaging_requirements": _l("Packaging requirements"),
    "packaging_materials": _l("Packaging materials"),
}
