// Every enterprise with its stored `places` (one pass; refresh_places compares and rewrites).
MATCH (e:Enterprise)
RETURN e.id AS id, e.places AS places
