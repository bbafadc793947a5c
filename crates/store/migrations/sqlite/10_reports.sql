-- Monthly reports (月度通报): generated on the 1st for the previous month (or on demand), kept
-- with every regeneration as a new version.
CREATE TABLE monthly_reports (
    region        BIGINT NOT NULL,
    month         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    body          TEXT NOT NULL,
    generated_at  TEXT NOT NULL,
    generated_by  TEXT NOT NULL,
    PRIMARY KEY (region, month, version)
);
