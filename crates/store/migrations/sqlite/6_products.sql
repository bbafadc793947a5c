-- Products and their registration (专利产品备案): yearly figures, linked patents, every version.

CREATE TABLE products (
    id                   INTEGER PRIMARY KEY,
    enterprise_id        BIGINT NOT NULL REFERENCES enterprises (id),
    region               BIGINT NOT NULL REFERENCES regions (code),
    name                 TEXT NOT NULL,
    model                TEXT NOT NULL,
    field                TEXT NOT NULL REFERENCES industries (code),
    description          TEXT NOT NULL,
    first_sold_on        TEXT,
    status               TEXT NOT NULL
                         CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'withdrawn')),
    registration_number  TEXT UNIQUE,
    submitted_at         TEXT,
    reviewed_at          TEXT,
    reviewed_by          TEXT,
    return_reason        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    version              BIGINT NOT NULL
);
-- Region is copied from the enterprise so that scoped lists and statistics need no join.
CREATE INDEX products_region_status ON products (region, status);
CREATE INDEX products_enterprise ON products (enterprise_id);
CREATE INDEX products_queue ON products (status, submitted_at);

CREATE TABLE product_figures (
    product_id     BIGINT NOT NULL REFERENCES products (id),
    year           BIGINT NOT NULL,
    sales_revenue  BIGINT NOT NULL,
    output_value   BIGINT NOT NULL,
    PRIMARY KEY (product_id, year)
);

CREATE TABLE product_patents (
    product_id  BIGINT NOT NULL REFERENCES products (id),
    patent_id   BIGINT NOT NULL REFERENCES patents (id),
    core        BOOLEAN NOT NULL,
    embodiment  TEXT NOT NULL,
    PRIMARY KEY (product_id, patent_id)
);
CREATE INDEX product_patents_patent ON product_patents (patent_id);

CREATE TABLE product_versions (
    product_id  BIGINT NOT NULL REFERENCES products (id),
    version     BIGINT NOT NULL,
    status      TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (product_id, version)
);

-- The last serial issued per year and region, for registration numbers.
CREATE TABLE registration_serials (
    year    BIGINT NOT NULL,
    region  BIGINT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (year, region)
);
