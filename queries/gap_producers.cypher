// The enterprises inside place $region (`$region IN e.places`, see queries/places.py) that
// PRODUCE a product of chain $chain or one of its one-hop UPSTREAM_OF neighbours, with the
// groups they belong to: one row per (product, producer, group, parent of that group); group
// and parent are null when absent. Groups are Enterprises reached through PART_OF, up to 4
// levels. Parallel edges give repeated rows.
// Each product's set is computed once (DISTINCT), not once per chain product it neighbours.
// The place filter is the hot spot: one list check per national producer of each product.
// No labels where the store already restricts the endpoints (IN_CHAIN, UPSTREAM_OF, PRODUCES).
MATCH (c:Chain {id: $chain})<-[:IN_CHAIN]-(p)
OPTIONAL MATCH (p)-[:UPSTREAM_OF]-(q)
WITH collect(DISTINCT p) + collect(DISTINCT q) AS ps
UNWIND ps AS x
WITH DISTINCT x
MATCH (x)<-[:PRODUCES]-(e)
WHERE $region IN e.places
OPTIONAL MATCH (e)-[:PART_OF*1..4]->(g:Enterprise)
OPTIONAL MATCH (g)-[:PART_OF]->(gp:Enterprise)
RETURN x.id AS product, e.id AS id, e.name AS name, g.id AS grp, gp.id AS parent
