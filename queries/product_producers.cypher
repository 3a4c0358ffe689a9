// The producers inside place $region of products $ids, in the row shape of gap_producers.
// `WITH x` before the filtered MATCH: without it FalkorDB starts from a scan of every
// Enterprise (the node carrying the WHERE) instead of the indexed product.
UNWIND $ids AS pid
MATCH (x:Product {id: pid})
WITH x
MATCH (x)<-[:PRODUCES]-(e:Enterprise)
WHERE $region IN e.places
OPTIONAL MATCH (e)-[:PART_OF*1..4]->(g:Enterprise)
OPTIONAL MATCH (g)-[:PART_OF]->(gp:Enterprise)
RETURN x.id AS product, e.id AS id, e.name AS name, g.id AS grp, gp.id AS parent
