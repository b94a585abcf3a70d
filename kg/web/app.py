"""The web application of `kg serve`: Starlette routes over the same kg.Graph API as the CLI, pages
rendered by Jinja2 with autoescape (every text from an article is escaped), no JavaScript needed.

    /                    what the graph holds, search, most quoted sources, corroborated and contested claims
    /search?q=           agents, articles and claims matching q
    /agent/<entity>      an agent: type, names, everything it said (original, relay, told), outlets; ?page=
    /article/<doc id>    the attributed sentences with source, cue and content marked by their offsets
    /group?iri=          a claim group: its claims, independent sources, disputes, articles
    /graph?focus=        the render of a focus (kg.render, vis-network inside the page, offline)
    /query               a SPARQL query box, results as a table, CSV/JSON downloads
    /sparql              the SPARQL 1.1 Protocol (kg.web.sparql)
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
import urllib.parse
from urllib.parse import quote, unquote, urlencode

import jinja2
from pyoxigraph import NamedNode
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg import query as q
from kg.errors import KgError
from kg.store import QueryTimeout
from kg.store.errors import one_line
from kg.queries import compose, named
from kg.vocab import ARTICLE, PREFIXES
from kg.web import sparql as protocol
from kg.web.snapshot import Snapshots

HERE = Path(__file__).parent
ENTITY = PREFIXES["kge"]
PAGE_SIZE = 50  # statements on an agent's page
SEARCH_PAGE = 20  # agents, articles and claim groups on a page of search results
QUERY_TIMEOUT = 30.0  # seconds; /sparql and the query page (kg serve --timeout)


def agent_url(iri: str | None) -> str:
    """The page of an agent: /agent/<the IRI after kge:>, or /agent?iri= for any other IRI."""
    if not iri:
        return "#"
    if iri.startswith(ENTITY):
        return "/agent/" + quote(iri[len(ENTITY):], safe="/")
    return "/agent?" + urlencode({"iri": iri})


def article_url(doc_id: str | None) -> str:
    return "/article/" + quote(doc_id, safe="") if doc_id else "#"


def group_url(iri: str | None) -> str:
    return "/group?" + urlencode({"iri": iri}) if iri else "#"


def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(agent_url=agent_url, article_url=article_url, group_url=group_url,
                       local=q.local_name, compact=q.compact_iri)
    return env


def marked_text(spans: list[dict], text: str | None = None) -> list[dict]:
    """An article as blocks of segments, from the stored spans (offsets into the article text):
    with its whole `text`, one block of all of it; without (a store written before kg kept it), the
    attributed sentences, each block what its evidence spans cover. Source, cue and content spans
    mark the segments they cover (a segment may carry several marks of several records)."""
    if text is not None:
        blocks = [[0, len(text)]]
    else:
        chars = {}
        for s in spans:
            if s["part"] == "evidence" and len(s["text"]) == s["end"] - s["start"]:
                chars.update(zip(range(s["start"], s["end"]), s["text"]))
        text = "".join(chars.get(i, " ") for i in range(max(chars, default=-1) + 1))
        blocks = []
        for start, end in sorted((s["start"], s["end"]) for s in spans if s["part"] == "evidence"
                                 and len(s["text"]) == s["end"] - s["start"]):
            if blocks and start <= blocks[-1][1]:
                blocks[-1][1] = max(blocks[-1][1], end)
            else:
                blocks.append([start, end])
    out = []
    for start, end in blocks:
        marks = [s for s in spans if s["part"] != "evidence" and start <= s["start"] < s["end"] <= end]
        cuts = sorted({start, end} | {m["start"] for m in marks} | {m["end"] for m in marks})
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            on = [m for m in marks if m["start"] <= a and b <= m["end"]]
            segments.append({"start": a, "end": b, "text": text[a:b], "parts": sorted({m["part"] for m in on}),
                             "records": sorted({m["id"] for m in on}), "first": next((m["id"] for m in on), None)})
        out.append({"start": start, "end": end, "segments": segments})
    return out


def fold_agent(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    agent = {"label": rows[0]["label"], "types": [], "names": [], "roles": [], "country": [], "partOf": [],
             "onBehalfOf": []}
    for r in rows:
        for key, value in (("types", q.local_name(r["type"])), ("names", r["name"]), ("roles", r["role"]),
                           ("country", (r["country"], r["countryLabel"]) if r["country"] else None),
                           ("partOf", (r["partOf"], r["partOfLabel"]) if r["partOf"] else None),
                           ("onBehalfOf", (r["onBehalfOf"], r["onBehalfOfLabel"]) if r["onBehalfOf"] else None)):
            if value and value not in agent[key]:
                agent[key].append(value)
    return agent


def groups_of(claims: list[dict]) -> list[dict]:
    """Claim rows (Graph.claims) folded by group, in their order."""
    groups: dict[str, dict] = {}
    for c in claims:
        g = groups.setdefault(c["group"], {"group": c["group"], "label": c["groupLabel"],
                                           "independentSources": c["independentSources"], "claims": [],
                                           "contested": False})
        g["claims"].append(c)
        g["contested"] = g["contested"] or bool(c.get("contest"))
    return list(groups.values())


def paged(text: str, limit: int, offset: int = 0) -> str:
    """A shipped query with its `# {page}` line filled: a page of its rows (kg.query.page: checked
    numbers, never request text)."""
    return compose(text, page=q.page(limit, offset) + "\n")


def shipped(g, name: str) -> str:
    """A shipped query for the store of `g`: its `# {body-start}`/`# {body-end}` lines LATERAL where the
    engine has it (looked up from the bound agent or article, not joined with every one of the store),
    and an agent's statements (kg/queries/web_agent_statements.rq) at its `# {statements}` line."""
    text = named(name)
    if "# {statements}" in text:
        text = q.relaying(compose(text, statements=named("web_agent_statements")))
    return q.lateral_body(text, getattr(g.store, "lateral", False))


def page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def create_app(location: str | None = None, *, timeout: float = QUERY_TIMEOUT, check_every: float = 1.0,
               snapshots: Snapshots | None = None) -> Starlette:
    """The application over the store at `location` (a directory or an endpoint URL)."""
    graphs = snapshots or Snapshots(location, check_every=check_every)
    env = templates()

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.update(request=request, store=graphs.location, writing=graphs.writing,
                       taken=time.strftime("%H:%M:%S", time.localtime(graphs.taken)))
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    def not_found(request: Request, what: str) -> HTMLResponse:
        return page(request, "error.html", 404, title="Not found", message=what,
                    query=request.query_params.get("q", ""))

    # -- pages ---------------------------------------------------------------------------------

    def home(request: Request):
        with graphs.use() as g:
            stats = g.stats()
            quoted = Counter()
            labels = {}
            for row in g.sources():
                quoted[row["source"]] += row["claims"]
                labels[row["source"]] = (row["sourceLabel"], row["sourceType"])
            corroborated = groups_of(g.claims(min_sources=2, limit=10))
            contested = groups_of(g.claims(contested=True, limit=10))
            articles = g.query(paged(named("web_articles"), 20))
        top = [{"iri": iri, "label": labels[iri][0], "type": labels[iri][1], "claims": n}
               for iri, n in quoted.most_common(15)]
        count = next((s["value"] for s in stats if s["figure"] == "articles"), len(articles))
        return page(request, "home.html", title="kg", stats=stats, top=top, corroborated=corroborated,
                    contested=contested, articles=articles, article_count=count)

    def search(request: Request):
        text = request.query_params.get("q", "").strip()
        number = page_number(request)
        skip = (number - 1) * SEARCH_PAGE
        agents, articles, claims = [], [], []
        if text:
            with graphs.use() as g:  # one more than a page of each: is there a next page?
                agents = g.query(paged(named("web_search"), SEARCH_PAGE + 1, skip), text=text)
                articles = g.query(paged(named("web_articles"), SEARCH_PAGE + 1, skip), text=text)
                claims = groups_of(g.claims(about=text, limit=SEARCH_PAGE + 1, offset=skip))
        more = any(len(found) > SEARCH_PAGE for found in (agents, articles, claims))
        return page(request, "search.html", title=f"Search: {text}", query=text, agents=agents[:SEARCH_PAGE],
                    articles=articles[:SEARCH_PAGE], groups=claims[:SEARCH_PAGE], page=number, more=more,
                    link=lambda n: "/search?" + urlencode({"q": text, "page": n}))

    def agent(request: Request):
        rest = request.path_params.get("rest")
        iri = ENTITY + unquote(rest) if rest else request.query_params.get("iri", "")
        try:
            node = NamedNode(iri)
        except ValueError:
            return not_found(request, "That is not an agent IRI.")
        number = page_number(request)
        with graphs.use() as g:
            info = fold_agent(g.query(shipped(g, "web_agent"), agent=node))
            if info is None:
                return not_found(request, f"No agent {iri} in the graph.")
            summary = g.query(shipped(g, "web_agent_summary"), agent=node)
            total = sum(r["n"] for r in summary)
            pages = max(1, -(-total // PAGE_SIZE))
            number = min(number, pages)  # past the end: the last page
            rows = g.query(paged(shipped(g, "web_agent_said"), PAGE_SIZE, (number - 1) * PAGE_SIZE),
                           agent=node)
        roles, outlets, relays = Counter(), Counter(), Counter()
        for r in summary:
            roles[r["role"]] += r["n"]
            outlets[r["publisherLabel"] or "(no publisher)"] += r["n"]
            if r["originalSource"]:
                relays[(r["originalSource"], r["originalLabel"])] += r["n"]
        return page(request, "agent.html", title=info["label"], iri=iri, agent=info, rows=rows, total=total,
                    roles=roles, outlets=outlets.most_common(), relayed=relays.most_common(), page=number,
                    page_size=PAGE_SIZE, pages=pages,
                    link=lambda n: agent_url(iri) + ("&" if rest is None else "?") + f"page={n}")

    def article(request: Request):
        doc_id = unquote(request.path_params["doc"])
        iri = ARTICLE + quote(doc_id, safe="")
        with graphs.use() as g:
            meta = g.query(shipped(g, "web_article"), article=NamedNode(iri))
            if not meta:
                return not_found(request, f"No article {doc_id} in the graph.")
            spans = g.query(shipped(g, "web_article_spans"), article=NamedNode(iri))
        records: dict[str, dict] = {}
        for s in spans:
            s["id"] = s["attribution"].rsplit("#", 1)[-1]
            r = records.setdefault(s["attribution"], {**s, "spans": {}})
            r["spans"].setdefault(s["part"], []).append((s["start"], s["end"], s["text"]))
        ordered = sorted(records.values(), key=lambda r: (min(x[0] for x in r["spans"].get("evidence", [(0, 0, "")])),
                                                          r["id"]))
        text = meta[0]["text"]
        return page(request, "article.html", title=meta[0]["headline"] or doc_id, doc_id=doc_id, iri=iri,
                    meta=meta[0], blocks=marked_text(spans, text), whole=text is not None, records=ordered)

    def group(request: Request):
        iri = request.query_params.get("iri", "")
        try:
            NamedNode(iri)
        except ValueError:
            return not_found(request, "That is not a claim group IRI.")
        with graphs.use() as g:
            claims = g.claims(group=iri)
        if not claims:
            return not_found(request, f"No claim group {iri} in the graph.")
        found = groups_of(claims)[0]
        sources = {(c["countsAs"], c["countsAsLabel"]) for c in claims if c["countsAs"]}
        articles = {(c["documentId"], c["publisherLabel"]) for c in claims}
        return page(request, "group.html", title=found["label"], group=found, sources=sorted(sources, key=str),
                    articles=sorted(articles, key=str), iri=iri)

    def graph_page(request: Request):
        focus = request.query_params.get("focus", "").strip()
        return page(request, "graph.html", title=f"Graph: {focus}" if focus else "Graph", focus=focus,
                    src="/graph/draw?" + urlencode({"focus": focus}) if focus else "/graph/draw")

    def graph_draw(request: Request):
        from kg import network, render

        focus = request.query_params.get("focus", "").strip() or None
        with graphs.use() as g:
            net = network.build(g, focus=focus, depth=2)
        if focus and not net.graph["matched"]:
            return not_found(request, f"No agent whose name contains {focus!r}.")
        fd, path = tempfile.mkstemp(suffix=".html", prefix="kg-serve-")
        os.close(fd)
        try:
            render.render(net, path, max_nodes=500, title=f"Around “{focus}”" if focus else render.DEFAULT_TITLE)
            body = Path(path).read_bytes()
        finally:
            os.unlink(path)
        return Response(body, media_type="text/html; charset=utf-8")

    def query_page(request: Request):
        text = request.query_params.get("query", "")
        columns, rows, error, kind, status = [], [], None, None, 200
        if text.strip():
            try:
                protocol.check(text)
                with graphs.use() as g:
                    result = g.result(text, timeout=timeout)
                    kind = result.kind
                    if kind == "select":
                        columns = list(result.variables)
                        rows = [[q.compact(t) for t in row] for _, row in zip(range(1000), result)]
                    elif kind == "ask":
                        rows = [["true" if result.boolean else "false"]]
                        columns = ["ask"]
                    else:
                        columns = ["subject", "predicate", "object"]
                        rows = [[q.compact(t) for t in row] for _, row in zip(range(1000), result)]
            except protocol.ProtocolError as e:
                error, status = e.message, e.status
            except KgError as e:  # the same statuses as /sparql: a timeout 503, a malformed query 400
                error, status = str(e), 503 if isinstance(e, QueryTimeout) else 400
        downloads = {fmt: "/sparql?" + urlencode({"query": text, "format": fmt})
                     for fmt in (("csv", "json") if kind in ("select", "ask") else ("ttl", "nt", "jsonld"))} \
            if kind else {}
        prefixes = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
        example = named("web_example").split("\n", 1)[1]  # without its comment line
        return page(request, "query.html", status, title="SPARQL", text=text or example, columns=columns, rows=rows,
                    error=error, kind=kind, downloads=downloads, prefixes=prefixes, limited=len(rows) == 1000)

    # -- the SPARQL protocol -------------------------------------------------------------------

    async def sparql(request: Request):
        params = request.query_params
        text = update = None
        if request.method == "GET":
            text, update = params.get("query"), params.get("update")
        else:
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                # parsed here: Starlette's request.form() needs python-multipart for this alone
                form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
                text, update = (form.get("query") or [None])[0], (form.get("update") or [None])[0]
            elif media == "application/sparql-query":
                text = (await request.body()).decode("utf-8", "replace")
            elif media == "application/sparql-update":
                update = "refused"
            else:
                return plain(415, "POST a query as application/x-www-form-urlencoded (query=...) "
                                  "or application/sparql-query")
        if update is not None:
            return plain(403, protocol.READ_ONLY)
        if text is None:
            if request.method == "GET":
                if "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/query", status_code=303)
                body = protocol.SERVICE_DESCRIPTION.replace("{endpoint}", str(request.url_for("sparql")))
                return Response(body, media_type="text/turtle; charset=utf-8")
            return plain(400, "no query: send query=... or a body of type application/sparql-query")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return plain(400, "default-graph-uri and named-graph-uri are not supported; use FROM / FROM NAMED "
                              "in the query (the default graph is the union of the named graphs)")
        fmt = params.get("format")
        if fmt and fmt not in protocol.FORMAT_NAMES:
            return plain(400, f"unknown format {fmt!r}; use one of {', '.join(sorted(protocol.FORMAT_NAMES))}")

        def run():
            with graphs.use() as g:
                return protocol.evaluate(g, text, request.headers.get("accept"), fmt, timeout)
        try:
            body, media = await run_in_threadpool(run)
        except protocol.ProtocolError as error:
            return plain(error.status, error.message)
        except KgError as error:
            return plain(500, str(error))
        headers = {"Content-Disposition": f'attachment; filename="result.{fmt}"'} if fmt else None
        return Response(body, media_type=media, headers=headers)

    # -- errors: a page (or a line of text for /sparql), never a traceback ------------------------

    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/sparql"):
            return plain(exc.status_code, exc.detail)
        if exc.status_code == 404:
            return not_found(request, "There is no such page.")
        return page(request, "error.html", exc.status_code, title="Error", message=exc.detail, query="")

    def server_error(request: Request, exc: Exception) -> Response:
        message = str(exc) if isinstance(exc, KgError) else "the server failed on this request (see its log)"
        if request.url.path.startswith("/sparql"):
            return plain(500, message)
        return page(request, "error.html", 500, title="Error", message=message, query="")

    class OneLineErrors:
        """A request that fails is an error page and one line on the server's stderr, never a
        traceback (Starlette's own last-resort handler re-raises, for the server to log it whole)."""

        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] != "http":
                return await self.app(scope, receive, send)
            started = False

            async def sending(message):
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            try:
                await self.app(scope, receive, sending)
            except Exception as exc:  # noqa: BLE001 - every failure: one line, and a page if none began
                request = Request(scope)
                print(f"kg serve: error: {request.method} {request.url.path}: {type(exc).__name__}: "
                      f"{one_line(str(exc))}", file=sys.stderr, flush=True)
                if not started:
                    await server_error(request, exc)(scope, receive, send)

    routes = [
        Route("/", home), Route("/search", search), Route("/agent", agent), Route("/agent/{rest:path}", agent),
        Route("/article/{doc:path}", article), Route("/group", group), Route("/graph", graph_page),
        Route("/graph/draw", graph_draw), Route("/query", query_page),
        Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        graphs.close()  # the snapshot's files go with the server

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error}, lifespan=lifespan,
                    middleware=[Middleware(OneLineErrors)])
    app.state.graphs = graphs
    return app


def plain(status: int, message: str) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")
