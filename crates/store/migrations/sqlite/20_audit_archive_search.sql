-- The archive is searched and exported like the live log (one log to the auditor): the same
-- indexes, so that a filter costs the same on either side.
CREATE INDEX audit_archive_at ON audit_archive (at);
CREATE INDEX audit_archive_user ON audit_archive (username, seq);
CREATE INDEX audit_archive_action ON audit_archive (action, seq);
