// How many edges touch node $id (for pagination totals).
MATCH (n:Entity {id: $id})-[r]-(:Entity)
RETURN count(r) AS n
