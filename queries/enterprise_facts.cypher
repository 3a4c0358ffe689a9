// The given enterprises: name, places, the products they make and their groups (Enterprises
// they are PART_OF, up to 4 levels), one row per (enterprise, group, parent of that group).
UNWIND $ids AS eid
MATCH (e:Enterprise {id: eid})
OPTIONAL MATCH (e)-[:PART_OF*1..4]->(g:Enterprise)
OPTIONAL MATCH (g)-[:PART_OF]->(gp:Enterprise)
WITH e, g, gp
RETURN e.id AS id, e.name AS name, e.places AS places,
       [(e)-[:PRODUCES]->(q:Product) | q.id] AS products,
       g.id AS grp, gp.id AS parent
