-- A product's answer as the API gives it (everything but what depends on the day it is asked:
-- review deadline, annual update state), written in the same transaction as every change to the
-- product, its figures, its links or a linked patent. Product detail is then one row read by its
-- key instead of three tables joined and aggregated into JSON on each request. NULL means "not
-- written yet": the answer is put together from the tables then, and the server fills it in.
ALTER TABLE products ADD COLUMN document TEXT;
CREATE INDEX products_without_document ON products (id) WHERE document IS NULL;
