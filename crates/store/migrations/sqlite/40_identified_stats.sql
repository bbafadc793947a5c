-- Identified products (专利密集型产品) rolled up like the registration statistics (migration 8):
-- one row per region at every level (county, city, province, the nation), field (the division,
-- 大类, like stat_region_fields) and year of announcement, added to in the transaction that
-- announces a batch, so that dashboards and the year-end evaluation count identified products
-- without reading the candidates.
CREATE TABLE stat_identified (
    region      BIGINT NOT NULL,
    level       TEXT NOT NULL,
    field       TEXT NOT NULL,
    year        BIGINT NOT NULL,
    identified  BIGINT NOT NULL,
    PRIMARY KEY (region, field, year)
);
CREATE INDEX stat_identified_level ON stat_identified (level, region);
