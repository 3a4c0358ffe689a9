// Regions and parks with what contains them directly (for pickers and dashboards).
MATCH (p:Entity)
WHERE 'Region' IN labels(p) OR 'Park' IN labels(p)
OPTIONAL MATCH (p)-[:LOCATED_IN|PART_OF]->(parent:Entity)
WITH p, collect(parent.id) AS parents
RETURN p.id AS id, p.name AS name, p.name_en AS name_en, labels(p) AS labels, parents
ORDER BY id
SKIP $skip LIMIT $limit
