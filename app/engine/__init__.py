"""The workflow engine layer: BPMN and SpiffWorkflow only (no Flask, no SQLAlchemy).

Public modules (see docs/ENGINE_CONTRACT.md): errors, expressions, validation, specs, runner.
The others (restricted, guards, budget, methods, documents, timers, check_*, joins, multi,
state, events, outcomes) are their building blocks.
"""
