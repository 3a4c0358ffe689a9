// Every edge touching node $id, both directions, with the node at the other end.
// Ordered and paginated so that large neighbourhoods can be walked page by page.
MATCH (n:Entity {id: $id})-[r]-(m:Entity)
RETURN type(r) AS type, startNode(r).id = $id AS outgoing, m.id AS id, m.name AS name,
       labels(m) AS labels, properties(r) AS props
ORDER BY type, id, props.key
SKIP $skip LIMIT $limit
