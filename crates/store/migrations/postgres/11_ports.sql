-- Management ports (管理端口): a province applies and the nation approves; a province opens its
-- cities and counties. Until its port is open a region's administrators see nothing.
CREATE TABLE ports (
    region         BIGINT PRIMARY KEY REFERENCES regions (code),
    status         TEXT NOT NULL CHECK (status IN ('applied', 'open', 'rejected', 'closed')),
    unit           TEXT NOT NULL,
    contact_name   TEXT NOT NULL,
    contact_phone  TEXT NOT NULL,
    contact_email  TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    applied_by     TEXT NOT NULL,
    applied_at     TEXT NOT NULL,
    decided_by     TEXT,
    decided_at     TEXT,
    reason         TEXT,
    version        BIGINT NOT NULL
);
