"""notebooks/explore.ipynb runs headless (nbclient, a real python3 kernel on this Python) and shows
what it says it shows; the notebook is committed without outputs; render.inline escapes the page."""
from __future__ import annotations

import html
import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from conftest import ROOT

from kg import render

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
CLAIMS_QUERY = ROOT / "kg" / "queries" / "claims.rq"


def test_the_notebook_is_committed_clean():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed in a python3 kernel that is this very Python (a kernelspec of our own,
    so that no python3 kernel installed elsewhere is picked up), in notebooks/, with the store in a
    temporary directory; returns {cell id: cell}. Every cell runs, errors are outputs (test_no_cell_errs)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    tmp = tmp_path_factory.mktemp("notebook")
    kernels = tmp / "kernels"
    (kernels / "python3").mkdir(parents=True)
    (kernels / "python3" / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (kg tests)", "language": "python"}), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(  # which kg and which Python the kernel ran
        "import kg, sys; print(kg.__file__); print(sys.executable)", id="test-which-kg"))
    env = {"KG_NOTEBOOK_STORE": str(tmp / "store"), "KG_SEEDS": str(ROOT / "seeds"),
           "IPYTHONDIR": str(tmp / "ipython"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits them (and nothing else here reads them)
    try:
        km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
        client = nbclient.NotebookClient(nb, km=km, timeout=180, kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": str(ROOT / "notebooks")}})
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {cell.get("id"): cell for cell in nb.cells}


def text(cell, mime: str = "text/plain") -> str:
    """Everything a code cell showed in `mime` (printed text counts as text/plain)."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"] if mime == "text/plain" else "")
        elif out["output_type"] in ("execute_result", "display_data"):
            parts.append(out["data"].get(mime, ""))
    return "".join(parts)


def test_no_cell_errs(executed):
    for cid, cell in executed.items():
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, (cid, errors and errors[0]["ename"], errors and errors[0]["evalue"])


def test_the_kernel_ran_this_repository_on_this_python(executed):
    printed = text(executed["test-which-kg"]).split("\n")
    assert Path(printed[0]).resolve() == (ROOT / "kg" / "__init__.py").resolve()
    assert Path(printed[1]).resolve() == Path(sys.executable).resolve()


def test_the_tables_hold_the_answers(executed):
    assert "articles=2" in text(executed["open"])
    stats = text(executed["stats"], "text/html")
    assert "attributions" in stats and "agents: IntelligenceAgency" in stats
    bloomberg = text(executed["bloomberg"], "text/html")
    assert "South Korean intelligence" in bloomberg and "National Intelligence Service" in bloomberg
    assert "Bloomberg" in bloomberg and "Newsweek" in bloomberg
    assert "Telegram" in text(executed["zelensky"], "text/html")
    assert "Kirby" in text(executed["who-said"], "text/html")
    chain = text(executed["chain"], "text/html")
    assert "relays" in chain and "National Intelligence Service" in chain
    sparql = text(executed["sparql"], "text/html")  # ?outlet bound to "Newsweek"
    assert "IntelligenceAgency" in sparql and "<tbody>" in sparql
    assert "Volodymyr Zelenskyy" in text(executed["analyze"], "text/html")
    assert "Newsweek" in text(executed["outlets"], "text/html")
    assert "chain length" in text(executed["chains"], "text/html")
    assert "National Intelligence Service" in text(executed["relied-upon"], "text/html")


def rows(table_html: str) -> int:
    body = table_html.split("<tbody>", 1)[-1]
    return body.count("<tr")


def test_the_corroboration_tables_are_not_empty(executed):
    if not CLAIMS_QUERY.exists():
        pytest.skip("kg/queries/claims.rq is not there yet (kg.corroborate.claims needs it)")
    assert "groups" in text(executed["regroup"])
    assert rows(text(executed["regroup"], "text/html")) > 0
    assert rows(text(executed["single-source"], "text/html")) > 0


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def iframe(markup: str) -> dict:
    """The attributes of the one tag `markup` is made of (an iframe), srcdoc unescaped."""
    parser = Tags()
    parser.feed(markup)
    parser.close()
    assert [t for t, _ in parser.tags] == ["iframe"], parser.tags[:5]
    return parser.tags[0][1]


def test_the_graph_is_drawn_inline(executed):
    for cid in ("render-focus", "render-all"):
        shown = text(executed[cid], "text/html")
        assert shown.startswith("<iframe srcdoc=\"&lt;!DOCTYPE html&gt;"), shown[:80]
        attrs = iframe(shown)
        assert attrs["sandbox"] == "allow-scripts"
        page = attrs["srcdoc"]
        assert "new vis.Network(" in page and "vis-network" in page
        assert not render.remote_resources(page)
    assert "Bloomberg News" in iframe(text(executed["render-focus"], "text/html"))["srcdoc"]
    assert "height:450px" in text(executed["render-focus"], "text/html")


EVIL = '" onload="alert(1)"></iframe><script>alert(2)</script> & &quot;'


def test_inline_escapes_the_page():
    net = nx.MultiDiGraph()
    net.add_node("kge:x", kind="agent", type="Person", label=EVIL, attributions=1)
    net.add_node("c", kind="claim", type="Claim", text=EVIL, evidence=f"He said {EVIL}.", source=EVIL)
    net.add_edge("kge:x", "c", key="said", label="said", weight=1)
    page = render.to_html(net)[0]
    shown = render.inline(net, height=321)
    markup = shown._repr_html_()
    assert (shown.nodes, shown.edges, shown.dropped) == (2, 1, 0)
    assert markup.startswith('<iframe srcdoc="') and markup.endswith(
        '" style="width:100%;height:321px;border:0" sandbox="allow-scripts"></iframe>')
    inside = markup[len('<iframe srcdoc="'):markup.index('" style=')]
    assert '"' not in inside and "<" not in inside and ">" not in inside  # nothing leaves the attribute
    assert html.unescape(inside) == page                                  # the page, exactly
    attrs = iframe(markup)                                                # as a browser reads it
    assert attrs["srcdoc"] == page and "onload" not in attrs
    assert set(attrs) == {"srcdoc", "style", "sandbox"}
    assert "<script>alert(2)</script>" not in page                        # and inside, to_html escaped it
