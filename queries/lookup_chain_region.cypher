// The chain and the place (Region or Park) a diagnosis is about; nulls when absent.
OPTIONAL MATCH (c:Chain {id: $chain})
WITH c
OPTIONAL MATCH (r:Entity {id: $region})
RETURN c.id AS chain_id, c.name AS chain_name,
       r.id AS region_id, r.name AS region_name, labels(r) AS region_labels
