"""The domain rules import-linter cannot express, checked on the source with `ast`.

import-linter (pyproject.toml, `make contracts`) checks which packages import which. This file
checks what it cannot see: a domain's underscored names, views and templates used from another
domain or from the core (in Python, and in templates that include, import or extend them), and
the shape every domain package has (docs/ADDING_A_DOMAIN.md).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.modules import DOMAINS

APP = Path(__file__).resolve().parent.parent / "app"
MODULES = APP / "modules"
TEMPLATE_NAME = re.compile(r"^([a-z_]+)/[\w./-]+\.html$")
TEMPLATE_USE = re.compile(r"""{%-?\s*(?:include|import|from|extends)\s+["']([^"']+)["']""")


def module_name(path: Path) -> tuple[str, bool]:
    """Return the dotted name of a file under app/ and whether it is a package's __init__."""
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def owner_of(module: str) -> str | None:
    """Return the domain a module belongs to, "core" for the core, None for anything else."""
    parts = module.split(".")
    if parts[:2] == ["app", "modules"] and len(parts) > 2:
        return parts[2]
    if parts[:2] == ["app", "core"]:
        return "core"
    return None


def template_owners(modules_dir: Path = MODULES) -> dict[str, str]:
    """Map each template folder (the blueprint name in "orders/detail.html") to its domain."""
    return {
        folder.name: package.name
        for package in modules_dir.iterdir()
        if (package / "templates").is_dir()
        for folder in (package / "templates").iterdir()
        if folder.is_dir()
    }


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _reach(owner: str, target: str) -> str | None:
    """Say what is wrong with `owner` using the dotted name `target`, or None when it may."""
    parts = target.split(".")
    if parts[:2] != ["app", "modules"] or len(parts) < 4 or parts[2] == owner:
        return None
    inside = parts[3:]
    if "views" in inside:
        return f"another domain's views ({target})"
    if "templates" in inside:
        return f"another domain's templates ({target})"
    if any(_private(part) for part in inside):
        return f"another domain's underscored name ({target})"
    return None


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def violations(
    source: str, module: str, is_package: bool = False, templates: dict[str, str] | None = None
) -> list[str]:
    """List the ways the module `module` with this source reaches into another domain."""
    owner = owner_of(module)
    if owner is None:
        return []
    templates = template_owners() if templates is None else templates
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = TEMPLATE_NAME.match(node.value)
            if match and templates.get(match.group(1), owner) != owner:
                found.append(f"{module}:{node.lineno} renders another domain's {node.value}")
        for target in targets:
            problem = _reach(owner, target)
            if problem:
                found.append(f"{module}:{node.lineno} imports {problem}")
    return found


def template_owner(path: Path) -> str:
    """Return the domain a template file belongs to, "core" for the core's, "shared" otherwise."""
    return owner_of(module_name(path)[0]) or "shared"


def template_violations(
    source: str, owner: str, name: str, templates: dict[str, str] | None = None
) -> list[str]:
    """List the other domains' templates that a template of `owner` includes, imports or extends.

    A page shows another domain's piece through a Panel that domain builds (its hooks or, for
    orders, app/modules/orders/panels.py), so that only the owner names its templates."""
    templates = template_owners() if templates is None else templates
    found = []
    for match in TEMPLATE_USE.finditer(source):
        folder = TEMPLATE_NAME.match(match.group(1))
        if folder and templates.get(folder.group(1), owner) != owner:
            line = source.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line} uses another domain's {match.group(1)}")
    return found


def shape_problems(modules_dir: Path, domains: tuple[str, ...]) -> list[str]:
    """List what each domain package lacks: setup() in __init__.py, models.py, services/, views."""
    problems = []
    packages = {p.name for p in modules_dir.iterdir() if (p / "__init__.py").is_file()}
    problems += [f"{name}: a domain package not in DOMAINS" for name in packages - set(domains)]
    for name in domains:
        package = modules_dir / name
        init = package / "__init__.py"
        if not init.is_file():
            problems.append(f"{name}: no package")
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.FunctionDef) and n.name == "setup" for n in tree.body):
            problems.append(f"{name}: __init__.py defines no setup(app)")
        if not (package / "models.py").is_file():
            problems.append(f"{name}: no models.py")
        if not (package / "services" / "__init__.py").is_file():
            problems.append(f"{name}: no services/ package")
        if not ((package / "views.py").is_file() or (package / "views" / "__init__.py").is_file()):
            problems.append(f"{name}: no views.py or views/ package")
    return problems


def test_no_domain_nor_the_core_reaches_into_another_domain():
    """Another domain's underscored names, views and templates stay its own."""
    templates = template_owners()
    found = []
    for path in sorted([*MODULES.rglob("*.py"), *(APP / "core").rglob("*.py")]):
        module, is_package = module_name(path)
        found += violations(path.read_text(encoding="utf-8"), module, is_package, templates)
    assert not found, "\n".join(found)


def test_no_template_uses_another_domains_template():
    """Templates include, import and extend their own domain's templates and the shared ones."""
    templates = template_owners()
    found = []
    for path in sorted(APP.rglob("*.html")):
        if "templates" in path.relative_to(APP).parts:
            source = path.read_text(encoding="utf-8")
            name = str(path.relative_to(APP.parent))
            found += template_violations(source, template_owner(path), name, templates)
    assert not found, "\n".join(found)


def test_every_domain_has_the_shape_of_a_domain():
    """Each package in app.modules.DOMAINS has setup(), models.py, services/ and views."""
    problems = shape_problems(MODULES, DOMAINS)
    assert not problems, "\n".join(problems)


# The checks above must be able to fail: each rule is shown catching a planted violation.

TEMPLATES = {"orders": "orders", "catalogue": "orders", "rush": "rush"}


def _check(source: str, module: str = "app.modules.changes.views", is_package: bool = False):
    return violations(source, module, is_package, TEMPLATES)


def test_an_underscored_name_of_another_domain_is_caught():
    """Importing a private helper of another domain fails, from a module or as a module."""
    assert _check("from app.modules.orders.services.orders import _line_total\n")
    assert _check("from app.modules.orders import _helpers\n")
    assert _check("import app.modules.orders._helpers\n")


def test_another_domains_views_are_caught():
    """Importing another domain's views fails, however it is spelt."""
    assert _check("from app.modules.orders.views.orders import history\n")
    assert _check("from app.modules.orders import views\n")
    assert _check("import app.modules.rush.views\n")
    assert _check("from ..orders.views import orders\n")
    assert _check("from app.modules.orders.views import orders\n", "app.core.tasks.views.tasks")


def test_another_domains_template_is_caught():
    """Rendering a template from another domain's folder fails."""
    assert _check('render_template("orders/detail.html")\n')
    assert _check('render_template("catalogue/products.html")\n')


def test_a_template_using_another_domains_template_is_caught():
    """Including, importing or extending another domain's template fails, from a domain, the
    core or a shared template; a domain's own and the shared templates pass."""

    def check(source: str, owner: str = "changes") -> list[str]:
        return template_violations(source, owner, "x.html", TEMPLATES)

    assert check('{% include "orders/_form.html" %}')
    assert check("{%- include 'rush/_impact.html' with context %}")
    assert check('{% from "catalogue/_macros.html" import row %}')
    assert check('{% extends "orders/detail.html" %}')
    assert check('{% include "rush/_counts.html" %}', "core")
    assert check('{% include "orders/_summary.html" %}', "shared")
    assert check('<p>\n{% include "orders/_form.html" %}')[0].startswith("x.html:2 ")
    assert not check('{% include "rush/_impact.html" %}', "rush")
    assert not check('{% include "catalogue/_row.html" %}', "orders")
    assert not check(
        '{% extends "base.html" %}{% from "macros/ui.html" import csrf %}'
        '{% include "partials/message.html" %}{% include "changes/_diff.html" %}'
    )


def test_public_surface_and_own_internals_pass():
    """Models, services and hooks of another domain, and a domain's own internals, are allowed."""
    source = (
        "from app.modules.orders.models import Order\n"
        "from app.modules.orders.services import orders\n"
        "from app.modules.orders import hooks\n"
        "from app.modules.changes.services.changes import _private_of_my_own\n"
        "from .views import _form\n"
        'render_template("changes/detail.html")\n'
        'render_template("partials/message.html")\n'
    )
    assert _check(source) == []
    assert violations("from app.modules.orders.views import x\n", "app.cli") == []


def test_shape_check_catches_a_domain_missing_its_parts(tmp_path):
    """A listed domain without setup(), services/ or views, and an unlisted one, are caught."""
    (tmp_path / "good" / "services").mkdir(parents=True)
    (tmp_path / "good" / "__init__.py").write_text("def setup(app):\n    pass\n")
    (tmp_path / "good" / "models.py").write_text("")
    (tmp_path / "good" / "services" / "__init__.py").write_text("")
    (tmp_path / "good" / "views.py").write_text("")
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "__init__.py").write_text("SETUP = None\n")
    (tmp_path / "bare" / "models.py").write_text("")
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "__init__.py").write_text("")

    assert sorted(shape_problems(tmp_path, ("good",))) == [
        "bare: a domain package not in DOMAINS",
        "stray: a domain package not in DOMAINS",
    ]
    assert sorted(shape_problems(tmp_path, ("good", "bare", "stray"))) == [
        "bare: __init__.py defines no setup(app)",
        "bare: no services/ package",
        "bare: no views.py or views/ package",
        "stray: __init__.py defines no setup(app)",
        "stray: no models.py",
        "stray: no services/ package",
        "stray: no views.py or views/ package",
    ]


def duplicate_test_modules(root: Path) -> dict[str, list[str]]:
    """Test files under `root` sharing a base name: the test folders are not packages, so
    pytest cannot import two `test_x.py` in one run (it stops the whole run at collection)."""
    seen: dict[str, list[str]] = {}
    for path in sorted(root.rglob("test_*.py")):
        seen.setdefault(path.name, []).append(str(path.relative_to(root)))
    return {name: paths for name, paths in seen.items() if len(paths) > 1}


def test_no_two_test_files_share_a_base_name():
    assert duplicate_test_modules(Path(__file__).resolve().parent) == {}


def test_two_test_files_with_one_base_name_are_caught(tmp_path):
    for folder in ("web", "e2e"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "test_pages.py").write_text("")
    (tmp_path / "web" / "test_other.py").write_text("")
    assert duplicate_test_modules(tmp_path) == {
        "test_pages.py": ["e2e/test_pages.py", "web/test_pages.py"]
    }
