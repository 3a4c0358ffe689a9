// Enterprises outside place $region that PRODUCE one of the gap products $products: one row
// per PRODUCES fact (the relationship variable is used, so parallel facts stay separate on
// both engines), with the enterprise's size. Scoring and aggregation are in targets.py.
// `WITH p` before the filtered MATCH keeps FalkorDB starting from the indexed product rather
// than from a scan of every enterprise. PRODUCES only leaves Enterprises: no label needed.
UNWIND $products AS pid
MATCH (p:Product {id: pid})
WITH p
MATCH (p)<-[pr:PRODUCES]-(e)
WHERE NOT ($region IN coalesce(e.places, []))
RETURN p.id AS product, e.id AS id, e.name AS name,
       e.employees AS employees, e.revenue_million_cny AS revenue_million_cny,
       pr.confidence AS confidence
