-- /mydata (issue 23, bot.services.my_data): when each reader last asked for a copy of
-- their data. A copy is built and sent at most once per MY_DATA_INTERVAL_MINUTES, so a
-- reader asking again meanwhile is told so and no second file is made; kept here, not in
-- memory, so that a restart does not open the door again.
CREATE TABLE data_exports (
    user_id INTEGER PRIMARY KEY,
    requested_at REAL NOT NULL
);
