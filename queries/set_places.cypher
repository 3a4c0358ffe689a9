// Write each enterprise's denormalised `places` (ids of every Park / Region it is in).
UNWIND $rows AS row
MATCH (e:Enterprise {id: row.id})
SET e.places = row.places
RETURN count(e) AS n
