// The given enterprises with their stored `places` and the Parks / Regions they are directly
// LOCATED_IN or PART_OF (PART_OF a group Enterprise is not a place).
UNWIND $ids AS eid
MATCH (e:Enterprise {id: eid})
OPTIONAL MATCH (e)-[:LOCATED_IN|PART_OF]->(pl)
RETURN e.id AS id, e.places AS places, collect(CASE WHEN pl:Park OR pl:Region THEN pl.id END) AS direct
