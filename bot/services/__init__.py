"""Domain services: what submitting, deciding, banning and publishing mean. No Telegram here."""
