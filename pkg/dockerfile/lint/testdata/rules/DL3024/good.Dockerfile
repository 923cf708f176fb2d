FROM a:1 AS x
FROM b:1 AS y
