// Every chain product (IN_CHAIN some chain) that an enterprise inside place $region PRODUCES,
// one row per (product, chain). Starts from a scan of enterprises filtered on `places`.
MATCH (e:Enterprise)
WHERE $region IN e.places
MATCH (e)-[:PRODUCES]->(p:Product)-[:IN_CHAIN]->(c:Chain)
RETURN DISTINCT p.id AS id, c.id AS chain
