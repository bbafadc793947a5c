-- What an identification batch reads of every product registered on 31 December (the freeze and
-- its floor): its id, region, field and registration dates, in an index of their own (SQLite has
-- no INCLUDE: the columns are the key), read instead of the products' rows with their stored
-- documents.
CREATE INDEX products_registered_inputs ON products (id, region, field, registered_on, withdrawn_on)
    WHERE registered_on IS NOT NULL;
