-- Lists sorted as a person chooses (`sort=name`, `sort=-updated`, …) read one page of an index in
-- that order instead of sorting every match. Product lists by name mirror the indexes of 19 with
-- the name in place of the last change (either direction walks the same index; the last change
-- and the submission already have theirs). Enterprises and accounts by name or last change, for
-- the nation's lists, which have no equality before the order.
CREATE INDEX products_scope_name ON products (region, status, substr(field, 1, 2), name, id, field);
CREATE INDEX products_scope_province_name ON products ((region / 10000), status, substr(field, 1, 2), name, id, region, field);
CREATE INDEX products_scope_city_name ON products ((region / 100), status, substr(field, 1, 2), name, id, region, field);
CREATE INDEX products_status_division_name ON products (status, substr(field, 1, 2), name, id, field);
-- The nation's products of one status by name (as products_status_updated by the last change),
-- and of every status.
CREATE INDEX products_status_name ON products (status, name, id);
CREATE INDEX products_name ON products (name, id);
CREATE INDEX enterprises_name ON enterprises (name, id);
CREATE INDEX enterprises_updated ON enterprises (updated_at, id);
CREATE INDEX users_updated ON users (updated_at, id);
