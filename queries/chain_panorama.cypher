// Chain $chain: its products with stage and producer count, and the UPSTREAM_OF edges among them.
MATCH (c:Chain {id: $chain})<-[ic:IN_CHAIN]-(p:Product)
WITH c, collect({id: p.id, name: p.name, name_en: p.name_en, stage: ic.stage,
                 producers: size([(e:Enterprise)-[:PRODUCES]->(p) | e])}) AS products,
     collect(p.id) AS ids
RETURN c.id AS id, c.name AS name, products,
       [(a:Product)-[u:UPSTREAM_OF]->(b:Product) WHERE a.id IN ids AND b.id IN ids |
          {source: a.id, target: b.id, kind: u.kind}] AS edges
