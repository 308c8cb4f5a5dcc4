-- Indexes for the outbox as it grows (see tests/storage/test_query_plans.py).
-- Holding back one chat (after a 429) updates that chat's waiting rows only.
CREATE INDEX outbox_pending_by_chat ON outbox (chat_key, next_attempt_at) WHERE status = 'pending';

-- The next batch is the oldest pending rows: walking only pending rows in id order keeps
-- it fast however many delivered rows the table holds.
CREATE INDEX outbox_pending_in_order ON outbox (id) WHERE status = 'pending';
