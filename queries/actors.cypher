// Every actor (enterprise, institution, park, region, unit) with its label and name.
MATCH (x:Entity)
WHERE 'Enterprise' IN labels(x) OR 'Institution' IN labels(x) OR 'Park' IN labels(x)
   OR 'Region' IN labels(x) OR 'GovernmentUnit' IN labels(x)
RETURN x.id AS id, x.name AS name, labels(x) AS labels
