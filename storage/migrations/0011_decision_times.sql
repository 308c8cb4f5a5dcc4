-- /stats counts decisions of the last day and week, and the waits before them: through
-- an index on when items were decided, not a scan of every submission ever made. Pending
-- items have no decision time and stay out of it.
CREATE INDEX submissions_by_decision_time ON submissions (decided_at) WHERE decided_at IS NOT NULL;
