-- Product lists at national scale: a region's products by status and field, newest change first,
-- are found (and counted) in one index without reading the rows (the id is in the index, so
-- PostgreSQL needs no heap either); only the page's rows are read.
DROP INDEX products_region_status;
CREATE INDEX products_scope ON products (region, status, field, updated_at, id);
-- A list of the whole nation by status, newest change first, walks this index from its end.
CREATE INDEX products_status_updated ON products (status, updated_at, id);
