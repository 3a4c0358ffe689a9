// Products $ids with their one-hop UPSTREAM_OF neighbours, in the row shape of gap_links
// (stage is null: these products are not read through one chain).
UNWIND $ids AS pid
MATCH (p:Product {id: pid})
OPTIONAL MATCH (p)-[:UPSTREAM_OF]->(d:Product)
WITH p, collect(d.id) AS down, collect(coalesce(d.name, d.id)) AS down_names
OPTIONAL MATCH (p)<-[:UPSTREAM_OF]-(u:Product)
RETURN p.id AS id, p.name AS name, null AS stage, down, down_names, collect(u.id) AS up
