// Every product's chains.
MATCH (p:Product)-[:IN_CHAIN]->(c:Chain)
RETURN p.id AS product, c.id AS chain
