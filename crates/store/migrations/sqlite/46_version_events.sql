-- What happened at each version of a product, as a code (`submitted`, `returned`, …) with its
-- detail (the reason given, the year updated), so that a page names it in the reader's language.
-- `note` keeps the same event as a Chinese sentence, as the API has always answered it. Versions
-- saved before this step have no event: they are shown as their note was written.
ALTER TABLE product_versions ADD COLUMN event TEXT;
ALTER TABLE product_versions ADD COLUMN detail TEXT;
