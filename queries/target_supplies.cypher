// SUPPLIES links between the enterprises $ids and enterprises inside place $region, in both
// directions: `to` when the candidate supplies the local partner, `from` when it is supplied.
UNWIND $ids AS eid
MATCH (e:Enterprise {id: eid})
WITH e
MATCH (e)-[:SUPPLIES]->(x)
WHERE $region IN x.places
RETURN DISTINCT e.id AS id, 'to' AS direction, x.id AS partner, x.name AS partner_name
UNION ALL
UNWIND $ids AS eid
MATCH (e:Enterprise {id: eid})
WITH e
MATCH (e)<-[:SUPPLIES]-(x)
WHERE $region IN x.places
RETURN DISTINCT e.id AS id, 'from' AS direction, x.id AS partner, x.name AS partner_name
