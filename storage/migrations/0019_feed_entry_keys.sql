-- Feed entries without a guid or Atom id were known by their link alone (NixOS news
-- gives every item the same link), and links are read anew: FeedBurner's original link,
-- without tracking parameters, never the feed's own address. A feed recorded before
-- this keeps its entries under their old keys until its next successful fetch copies
-- them over to the new ones, once (bot.services.feeds); then the flag is cleared.
ALTER TABLE feeds ADD COLUMN legacy_keys INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET legacy_keys = 1 WHERE first_seen_at IS NOT NULL;
