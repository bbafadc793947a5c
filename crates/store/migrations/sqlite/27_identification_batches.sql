-- Identification batches (认定批次): a year's round under one published method version. Products
-- are opted in as candidates, pass the formal check (形式审查), and computing the batch freezes
-- its inputs (every registered product's figures, patent counts and status on 31 December of the
-- year) and writes each field's benchmarks and each candidate's computed patent evaluation. The
-- later stages (experts, review, public notice, objections) add their columns to the candidates.
CREATE TABLE identification_batches (
    id              INTEGER PRIMARY KEY,
    year            BIGINT NOT NULL,
    method_id       BIGINT NOT NULL,
    method_version  BIGINT NOT NULL,
    opt_in_until    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'computed')),
    frozen_at       TEXT,
    inputs_count    BIGINT,
    inputs_digest   TEXT,
    computed_at     TEXT,
    computed_by     TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    FOREIGN KEY (method_id, method_version)
        REFERENCES identification_method_versions (method_id, version)
);

-- One row per product opted into a batch, with the stage it has reached.
CREATE TABLE identification_candidates (
    batch_id       BIGINT NOT NULL REFERENCES identification_batches (id),
    product_id     BIGINT NOT NULL REFERENCES products (id),
    region         BIGINT NOT NULL REFERENCES regions (code),
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    opted_in_by    TEXT NOT NULL,
    opted_in_at    TEXT NOT NULL,
    check_status   TEXT NOT NULL CHECK (check_status IN ('pending', 'approved', 'returned')),
    check_reason   TEXT,
    checked_by     TEXT,
    checked_at     TEXT,
    field          TEXT,
    passed         BOOLEAN,
    result         TEXT,
    outcome        TEXT,
    version        BIGINT NOT NULL,
    PRIMARY KEY (batch_id, product_id)
);
CREATE INDEX identification_candidates_region ON identification_candidates (batch_id, region);
CREATE INDEX identification_candidates_product ON identification_candidates (product_id);

-- The frozen inputs: every product registered on 31 December of the batch's year, as read when
-- the batch was first computed. Money in fen; NULL where the figure was not filed.
CREATE TABLE identification_inputs (
    batch_id             BIGINT NOT NULL REFERENCES identification_batches (id),
    product_id           BIGINT NOT NULL,
    region               BIGINT NOT NULL,
    industry             TEXT NOT NULL,
    valid_patents        BIGINT NOT NULL,
    invention_patents    BIGINT NOT NULL,
    core_patents         BIGINT NOT NULL,
    sales_revenue        BIGINT,
    prior_sales_revenue  BIGINT,
    ip_investment        BIGINT,
    export_value         BIGINT,
    update_approved      BOOLEAN NOT NULL,
    PRIMARY KEY (batch_id, product_id)
);

-- Each field's benchmark per measure, as computed from the frozen inputs.
CREATE TABLE identification_benchmarks (
    batch_id    BIGINT NOT NULL REFERENCES identification_batches (id),
    field       TEXT NOT NULL,
    measure     TEXT NOT NULL,
    value       TEXT NOT NULL,
    population  BIGINT NOT NULL,
    PRIMARY KEY (batch_id, field, measure)
);
