"""The layout, checked from the source with `ast`: each module imports only its own stage or earlier
ones, never another file's private names, and the CLI's command modules never import the group.
Each rule is shown to fail on a planted violation."""
from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# The pipeline, in order. The package root (`import kg`, `from kg import __version__`) is the API
# facade: only the CLI, which sits above everything, imports it.
STAGES = [
    {"kg.errors", "kg.vocab", "kg.text", "kg.version", "kg.queries"},
    {"kg.documents"},
    {"kg.extract"},
    {"kg.resolve"},
    {"kg.rdf"},
    {"kg.store"},
    {"kg.ingest", "kg.query", "kg.validate"},
    {"kg.corroborate", "kg.pipeline"},
    {"kg.graph"},
    {"kg.network", "kg.render", "kg.analyze", "kg.evaluate", "kg.web"},
    {"kg.cli", "kg.__main__", "kg"},
]
STAGE = {name: n for n, names in enumerate(STAGES) for name in names}


def stage(module: str) -> int | None:
    """The stage of a module: that of its longest listed prefix (kg.store.local -> kg.store)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in STAGE:
            return STAGE[".".join(parts[:n])]
    return None


def module_name(path: Path, package: Path) -> str:
    name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imports(path: Path, package: Path):
    """(line, imported module, imported name or None) for each import of a kg module in `path`,
    inside functions too. `from kg import query` imports the module kg.query."""
    me = module_name(path, package)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "kg" or alias.name.startswith("kg."):
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = me.split(".") if is_package else me.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base != "kg" and not base.startswith("kg."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                is_module = (package.parent / sub.replace(".", "/")).with_suffix(".py").is_file() or \
                    (package.parent / sub.replace(".", "/") / "__init__.py").is_file()
                yield node.lineno, sub if is_module else base, None if is_module else alias.name


def violations(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        me = module_name(path, package)
        mine = stage(me)
        for line, module, name in imports(path, package):
            where = f"{path.relative_to(package.parent)}:{line}"
            theirs = stage(module)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{where}: {me} (stage {mine}) imports {module} (stage {theirs})")
            if name and name.startswith("_") and not name.startswith("__"):
                found.append(f"{where}: {me} imports {module}.{name}, private to its file")
            if me.startswith("kg.cli.") and (module == "kg.cli" or
                                             module.startswith("kg.cli.") and module != "kg.cli.common"):
                found.append(f"{where}: the command module {me} imports {module}; commands import kg.cli.common only")
    return found


def test_every_module_has_a_stage():
    unknown = [module_name(p, ROOT / "kg") for p in (ROOT / "kg").rglob("*.py")
               if stage(module_name(p, ROOT / "kg")) is None]
    assert not unknown, unknown


def test_imports_follow_the_pipeline():
    assert violations(ROOT / "kg") == []


@pytest.mark.parametrize("file, line, complaint", [
    ("kg/store/planted.py", "from kg.graph import Graph\n", "kg.store.planted (stage 5) imports kg.graph (stage 8)"),
    ("kg/rdf.py", "def f():\n    from kg import corroborate\n", "kg.rdf (stage 4) imports kg.corroborate (stage 7)"),
    ("kg/resolve/planted.py", "import kg\n", "kg.resolve.planted (stage 3) imports kg (stage 10)"),
    ("kg/query.py", "from kg.store.base import _private\n", "imports kg.store.base._private, private to its file"),
    ("kg/cli/planted.py", "from kg.cli import main\n", "the command module kg.cli.planted imports kg.cli;"),
    ("kg/cli/planted.py", "from . import graph\n", "the command module kg.cli.planted imports kg.cli.graph;"),
])
def test_a_planted_violation_is_found(tmp_path, file, line, complaint):
    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__", "ontology"))
    target = tmp_path / file
    target.write_text((target.read_text(encoding="utf-8") if target.exists() else "") + line, encoding="utf-8")
    found = violations(copy)
    assert len(found) == 1 and complaint in found[0], found


@pytest.mark.parametrize("modules, heavy", [
    ("kg, kg.store, kg.query, kg.cli", ("spacy", "trafilatura", "rdflib", "pandas", "networkx")),
    ("kg.graph", ("spacy", "trafilatura", "pandas", "networkx")),
])
def test_importing_kg_loads_nothing_heavy(modules, heavy):
    """spaCy loads with the first parse, trafilatura with the first HTML page, rdflib with the first
    RDF written: not on import."""
    import subprocess

    code = f"import sys, {modules}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


SPARQL = re.compile(r"\bWHERE\s*\{(?!\s*\.\.\.)|\b(?:SELECT|CONSTRUCT)\s+(?:\?|\*|DISTINCT\b|\{|\()|\b(?:INSERT|DELETE)\s*\{")


def inline_sparql(package: Path) -> list[str]:
    """String literals of kg's code (docstrings aside) that hold a SPARQL query or update: every
    text kg runs is a file under kg/queries/ (the store still writes its INSERT DATA / DELETE DATA
    blocks from the triples it is given)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and SPARQL.search(node.value):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_every_sparql_text_is_a_file_under_kg_queries():
    assert inline_sparql(ROOT / "kg") == []


def test_inline_sparql_is_found(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "planted.py").write_text('"""SELECT ?x WHERE { } in a docstring is fine."""\n'
                                                'Q = "SELECT ?s WHERE { ?s ?p ?o }"\n', encoding="utf-8")
    assert inline_sparql(tmp_path / "kg") == ["kg/planted.py:2: 'SELECT ?s WHERE { ?s ?p ?o }'"]
