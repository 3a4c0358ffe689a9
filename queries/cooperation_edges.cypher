// Every cooperation tie (stored once, read undirected) with its kind and provenance.
MATCH (a:Entity)-[r:COOPERATES_WITH]->(b:Entity)
RETURN a.id AS a, b.id AS b, r.kind AS kind, r.confidence AS confidence, r.source AS source,
       r.evidence AS evidence, r.status AS status
ORDER BY a, b, kind
