-- The author's name as it was when they wrote: the name their card showed is the name
-- published under the comment, whatever they call themselves on Telegram later.
ALTER TABLE submissions ADD COLUMN author_name TEXT NOT NULL DEFAULT '';
-- Rows written before this kept no name of their own: they take the one known today.
UPDATE submissions SET author_name = COALESCE(
    (SELECT trim(r.first_name || COALESCE(' ' || r.last_name, ''))
     FROM readers r WHERE r.user_id = submissions.user_id),
    '');
