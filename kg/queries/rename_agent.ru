# A bare surname that joined a person (?old -> ?new, both bound): references anywhere move to the new
# IRI, and the old IRI's description becomes the new one's (its label a skos:altLabel).
DELETE { GRAPH ?g { ?s ?p ?old } } INSERT { GRAPH ?g { ?s ?p ?new } } WHERE { GRAPH ?g { ?s ?p ?old } } ;
# Its rdf:type goes with it: the new IRI has its own, and a typed IRI left without a label fails
# kg validate (FAULTS.md F11).
DELETE { GRAPH ?g { ?old ?p ?o } } INSERT { GRAPH ?g { ?new ?q ?o } }
WHERE { GRAPH ?g { ?old ?p ?o } FILTER(?p != rdf:type) BIND(IF(?p = rdfs:label, skos:altLabel, ?p) AS ?q) } ;
DELETE { GRAPH ?g { ?old rdf:type ?type } } WHERE { GRAPH ?g { ?old rdf:type ?type } } ;
