-- A sign-up answers the same whether its username is free or taken; the outcome travels to the
-- applicant's own contact. A message about a name already taken belongs to no account.
ALTER TABLE account_outbox ALTER COLUMN user_id DROP NOT NULL;
