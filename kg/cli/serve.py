"""`kg serve`: the graph in a browser and a SPARQL 1.1 endpoint (kg.web), on uvicorn."""
from __future__ import annotations

import socket

import click

from kg.cli.common import STORE, CommandError


@click.command(short_help="Browse the graph in a web browser; a SPARQL endpoint at /sparql.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (loopback: only this machine; 0.0.0.0 opens it to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--open", "open_browser", is_flag=True, help="Open the home page in the default browser.")
@click.option("--timeout", type=click.FloatRange(min=0.001), default=30.0, show_default=True, metavar="SECONDS",
              help="Give up on a SPARQL query after SECONDS (HTTP 503).")
@STORE
def serve(host, port, open_browser, timeout, store):
    """Serve the graph: pages for agents, articles and claim groups, the graph drawn, a SPARQL query
    page, and /sparql (the W3C SPARQL 1.1 Protocol, read-only) for other tools. Reads a snapshot of
    the store, refreshed when `kg ingest` has written to it. Ctrl-C (or SIGTERM) stops it.

    \b
    Examples:
        kg serve --open
        kg serve --store build/demo-store --port 8080
    """
    import uvicorn

    from kg.web.app import create_app

    app = create_app(store, timeout=timeout)  # a store that is no kg store: one line, before any socket
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        app.state.graphs.close()
        reason = "in use" if error.errno == 98 else (error.strerror or str(error)).lower()
        raise CommandError(f"cannot listen on {host}:{port}: {reason}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    click.echo(f"kg serve: {url} (store {app.state.graphs.location}; Ctrl-C stops)", err=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [url]).start()
    _Server = _server_class()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    try:
        _Server(config).run(sockets=[sock])
    finally:
        sock.close()
        app.state.graphs.close()
    click.echo("kg serve: stopped", err=True)


def _server_class():
    import contextlib
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but Ctrl-C and SIGTERM end a graceful shutdown and kg's exit (status 0,
        the store's snapshot removed) instead of being raised again once uvicorn is done."""

        @contextlib.contextmanager
        def capture_signals(self):
            wanted = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in wanted}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


COMMANDS = [serve]
