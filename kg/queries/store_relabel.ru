# Before an agent's description is merged anew, its old rdfs:label goes (a person's label is the
# fullest name seen so far, and may grow). `# {subjects}` becomes the VALUES of ?g and ?s.
DELETE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } WHERE {
  # {subjects}
  GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
}
