-- The language a person chose (zh-Hans, zh-Hant or en); NULL follows the browser.
ALTER TABLE users ADD COLUMN locale TEXT;
