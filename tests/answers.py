"""Valid answers for every step of the shipped order processes, shared by tests."""

SPECS = {
    "structure_function": "Two-piece bracket, bolted",
    "dimensions_performance": "120x80x6 mm, 2 kN load",
    "technical_requirements": "Drawing BR-7 rev B",
    "process_requirements": "Laser cut, bent, zinc plated",
    "quality_requirements": "AQL 1.0, salt spray 48 h",
    "packaging_requirements": "50 per carton",
    "packaging_materials": "Corrugated carton",
}

FORM_ANSWERS = {
    "confirm_order": {
        "packaging_confirmed": "on",
        "structure_confirmed": "on",
        "dimensions_confirmed": "on",
        "order_category": "new",
        "requirements": "IP65",
    },
    "pmc_dispatch": {"review_due": "2026-12-31", "priority": "normal"},
    "review_engineering": {"decision": "approve", "technical_risk": "low"},
    "review_production": {"decision": "approve"},
    "review_quality": {
        "decision": "approve",
        "quality_requirements": "AQL 1.0",
        "inspection_plan": "final",
    },
    "review_warehouse": {"decision": "approve", "materials_status": "in_stock"},
    "pmc_consolidate": {"summary": "All approved", "confirmed": "on"},
    "sales_revise": {"action": "resubmit", "changes_made": "Adjusted"},
}

for _dept in ("pmc", "production", "engineering", "warehouse", "quality"):
    FORM_ANSWERS[f"change_review_{_dept}"] = {"opinion": "approve", "delivery_impact_days": "0"}
# Change requests: the head of whichever department raised it approves (CHANGE_CONTRACT step 3).
CHANGE_RAISERS = ("sales", "pmc", "engineering", "production", "quality", "warehouse",
                  "purchasing", "finance", "management")  # fmt: skip
for _step in (*(f"manager_approval_{_dept}" for _dept in CHANGE_RAISERS), "gm_approval"):
    FORM_ANSWERS[_step] = {"decision": "approve"}
