-- Experts and expert panels (专家评审组), a component that identification's industry
-- evaluation and the programmes' expert reviews use. An expert's unit and fields decide
-- conflicts and suggestions; a panel belongs to a subject (kind, subject_id), carries its score
-- sheet as it was when created (a later edit of the method does not change it) and its
-- deadline; each assignment is one expert on one item, scored once.
CREATE TABLE expert_profiles (
    user_id           BIGINT PRIMARY KEY REFERENCES users (id),
    unit_credit_code  TEXT NOT NULL,
    unit_name         TEXT NOT NULL,
    -- GB/T 4754-2017 codes, any level, separated by spaces.
    fields            TEXT NOT NULL,
    version           BIGINT NOT NULL,
    updated_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE panels (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    subject_id     BIGINT NOT NULL,
    -- The score sheet, JSON [{"name","max_score"}], copied in when the panel is created.
    sheet          TEXT NOT NULL,
    min_experts    BIGINT NOT NULL,
    rule           TEXT NOT NULL,
    deadline_days  BIGINT NOT NULL,
    opened_on      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (kind, subject_id)
);

CREATE TABLE panel_items (
    panel_id         BIGINT NOT NULL REFERENCES panels (id),
    item_no          BIGINT NOT NULL,
    enterprise       TEXT NOT NULL,
    enterprise_name  TEXT NOT NULL,
    field            TEXT NOT NULL,
    label            TEXT NOT NULL,
    PRIMARY KEY (panel_id, item_no)
);

CREATE TABLE panel_assignments (
    id            INTEGER PRIMARY KEY,
    panel_id      BIGINT NOT NULL,
    item_no       BIGINT NOT NULL,
    expert_id     BIGINT NOT NULL REFERENCES users (id),
    assigned_by   TEXT NOT NULL,
    assigned_at   TEXT NOT NULL,
    -- Once submitted: each item's score and their total at the fixed scale (JSON strings).
    scores        TEXT,
    total         TEXT,
    opinion       TEXT,
    submitted_at  TEXT,
    UNIQUE (panel_id, item_no, expert_id),
    FOREIGN KEY (panel_id, item_no) REFERENCES panel_items (panel_id, item_no)
);

CREATE INDEX panel_assignments_expert ON panel_assignments (expert_id, id);
