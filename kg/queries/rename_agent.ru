# A bare surname that joined a person (?old -> ?new, both bound): references anywhere move to the new
# IRI, and the old IRI's description becomes the new one's (its label a skos:altLabel).
DELETE { GRAPH ?g { ?s ?p ?old } } INSERT { GRAPH ?g { ?s ?p ?new } } WHERE { GRAPH ?g { ?s ?p ?old } } ;
DELETE { GRAPH ?g { ?old ?p ?o } } INSERT { GRAPH ?g { ?new ?q ?o } }
WHERE { GRAPH ?g { ?old ?p ?o } BIND(IF(?p = rdfs:label, skos:altLabel, ?p) AS ?q) FILTER(?p != rdf:type) } ;
