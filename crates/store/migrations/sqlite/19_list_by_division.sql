-- Product lists narrowed to one industry field, newest change first, read one page of an index
-- instead of sorting every match. Fields are codes of any GB/T 4754 level (3914 is a class of
-- division 39); a list of a division is an equality on the code's first two characters, so the
-- index puts them right after the region and status and the list's order after them. A list of
-- a group or class adds a condition on `field` itself, checked inside the same index (it comes
-- last, with the region, so the index answers alone). A section letter's first two characters
-- are the letter itself. These replace the indexes of 12 and 13, whose `field` came before the
-- order, so that a list of a division (a range of codes) had to sort all its matches.
DROP INDEX products_scope;
DROP INDEX products_scope_province;
DROP INDEX products_scope_city;
CREATE INDEX products_scope ON products (region, status, substr(field, 1, 2), updated_at, id, field);
CREATE INDEX products_scope_province ON products ((region / 10000), status, substr(field, 1, 2), updated_at, id, region, field);
CREATE INDEX products_scope_city ON products ((region / 100), status, substr(field, 1, 2), updated_at, id, region, field);
-- The nation's products of one status and field, newest change first.
CREATE INDEX products_status_division ON products (status, substr(field, 1, 2), updated_at, id, field);
