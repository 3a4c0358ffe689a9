// Topic links of actors: what they produce (product), anchor or develop (chain, product...).
// One simple traversal per row so that it streams at national scale; joined in Python.
MATCH (x:Entity)-[r:PRODUCES|ANCHORS|DEVELOPS]->(t:Entity)
RETURN x.id AS id, type(r) AS type, t.id AS topic
