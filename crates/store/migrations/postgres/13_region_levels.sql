-- A province's or a city's products are one key in an index, not a range of county codes: with
-- the range first, the status and field conditions were checked on every product of the range
-- (every product of a city for a list of one field). Region codes carry their levels in their
-- digits (province 36xxxx, city 3607xx), so the two upper levels are expressions of the code.
-- The code itself comes last: an index that holds every column a query names answers it alone
-- (PostgreSQL's index-only scan, SQLite's covering index), and the expression names `region`.
CREATE INDEX products_scope_province ON products ((region / 10000), status, field, updated_at, id, region);
CREATE INDEX products_scope_city ON products ((region / 100), status, field, updated_at, id, region);
