// The products of chain $chain with their stage and their one-hop UPSTREAM_OF neighbours
// (any chain): `down` (ids, with `down_names`) for p -UPSTREAM_OF-> q, `up` for q -UPSTREAM_OF-> p.
// A product IN_CHAIN twice gives two rows; parallel edges repeat ids in the lists.
// Performance (FalkorDB 4.22): collected OPTIONAL MATCH rows, not pattern comprehensions (a
// comprehension per row costs several times more); no labels on nodes reached through
// IN_CHAIN / UPSTREAM_OF, whose endpoints the store already restricts to Products.
MATCH (c:Chain {id: $chain})<-[ic:IN_CHAIN]-(p)
OPTIONAL MATCH (p)-[:UPSTREAM_OF]->(d)
WITH p, ic, collect(d.id) AS down, collect(coalesce(d.name, d.id)) AS down_names
OPTIONAL MATCH (p)<-[:UPSTREAM_OF]-(u)
RETURN p.id AS id, p.name AS name, ic.stage AS stage, down, down_names, collect(u.id) AS up
