"""`kg serve`: the graph in a browser, and a SPARQL 1.1 Protocol endpoint (a view of the graph, like
kg.render). app.py is the Starlette application, sparql.py the protocol, snapshot.py what it reads."""
