-- What an identification batch reads of every product registered on 31 December (the freeze and
-- its floor): its id, region, field and registration dates, in an index of their own. Read from
-- this index alone instead of the products' rows, which carry each product's stored document
-- (about 5 GB at national scale): the scan of 2.4 million registered products took 6.8 s from the
-- table and 0.7 s from the index.
CREATE INDEX products_registered_inputs ON products (id)
    INCLUDE (region, field, registered_on, withdrawn_on) WHERE registered_on IS NOT NULL;
