// Every chain with its product count.
MATCH (c:Chain)
OPTIONAL MATCH (c)<-[ic:IN_CHAIN]-(:Product)
WITH c, count(ic) AS products
RETURN c.id AS id, c.name AS name, c.name_en AS name_en, products
ORDER BY id
SKIP $skip LIMIT $limit
