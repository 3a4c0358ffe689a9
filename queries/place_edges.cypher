// Containment between places: a Park or Region LOCATED_IN / PART_OF another Park or Region.
// refresh_places() closes these edges transitively in Python (cycle-safe, no depth limit).
MATCH (a:Park)-[:LOCATED_IN|PART_OF]->(b)
WHERE b:Park OR b:Region
RETURN a.id AS child, b.id AS parent
UNION
MATCH (a:Region)-[:LOCATED_IN|PART_OF]->(b)
WHERE b:Park OR b:Region
RETURN a.id AS child, b.id AS parent
