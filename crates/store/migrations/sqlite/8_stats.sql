-- Statistics rollups, kept up to date in the transaction of every approval, change, annual
-- update and withdrawal, so that dashboards never scan the product table. A registered product
-- counts from its first approval until its withdrawal.

-- One row per region at every level (county, city, province, the nation): its subtree's totals.
CREATE TABLE stat_regions (
    region         BIGINT PRIMARY KEY,
    level          TEXT NOT NULL,
    enterprises    BIGINT NOT NULL,
    products       BIGINT NOT NULL,
    patents        BIGINT NOT NULL,
    sales_revenue  BIGINT NOT NULL
);
CREATE INDEX stat_regions_level ON stat_regions (level, region);

-- The same by the product's field (GB/T 4754 code), for every region level.
CREATE TABLE stat_region_fields (
    region         BIGINT NOT NULL,
    field          TEXT NOT NULL,
    products       BIGINT NOT NULL,
    sales_revenue  BIGINT NOT NULL,
    PRIMARY KEY (region, field)
);

-- Registrations and withdrawals per month (YYYY-MM), for every region level.
CREATE TABLE stat_region_months (
    region      BIGINT NOT NULL,
    month       TEXT NOT NULL,
    registered  BIGINT NOT NULL,
    withdrawn   BIGINT NOT NULL,
    PRIMARY KEY (region, month)
);

-- How many registered products of an enterprise, and using a patent, are in force: the
-- distinct counts above change only when one of these goes from 0 to 1 or back.
CREATE TABLE stat_enterprises (
    enterprise_id  BIGINT PRIMARY KEY,
    region         BIGINT NOT NULL,
    products       BIGINT NOT NULL
);
CREATE INDEX stat_enterprises_region ON stat_enterprises (region, products);

CREATE TABLE stat_patents (
    patent_id  BIGINT PRIMARY KEY,
    region     BIGINT NOT NULL,
    products   BIGINT NOT NULL
);
