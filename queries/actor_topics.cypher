// Actors (enterprises, institutions, parks, regions, units) with their topics: the chains and
// products they produce, anchor or develop. Used for topic-overlap partner scores.
MATCH (x:Entity)
WHERE 'Enterprise' IN labels(x) OR 'Institution' IN labels(x) OR 'Park' IN labels(x)
   OR 'Region' IN labels(x) OR 'GovernmentUnit' IN labels(x)
RETURN x.id AS id, x.name AS name, labels(x) AS labels,
       [(x)-[:PRODUCES]->(p:Product) | p.id] AS products,
       [(x)-[:PRODUCES]->(:Product)-[:IN_CHAIN]->(c:Chain) | c.id] AS product_chains,
       [(x)-[:ANCHORS|DEVELOPS]->(t:Entity) | t.id] AS anchored
ORDER BY id
