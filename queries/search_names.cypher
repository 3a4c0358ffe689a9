// Nodes whose name, English name or an alias contains $q (case-insensitive for Latin text),
// optionally of one label ($label null = any). Complements the engines' full-text indexes,
// which segment Chinese into words and so miss substrings such as 高新 in 白银高新区.
MATCH (n:Entity)
WHERE ($label IS NULL OR $label IN labels(n))
  AND (toLower(n.name) CONTAINS $q
       OR (n.name_en IS NOT NULL AND toLower(n.name_en) CONTAINS $q)
       OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS $q))
RETURN n.id AS id, n.name AS name, n.name_en AS name_en, labels(n) AS labels, n.aliases AS aliases
ORDER BY size(n.name), id
LIMIT $limit
