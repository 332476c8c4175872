-- The one-collector-per-database guarantee, held in the database itself (a
-- lock file beside it can be deleted while a collector runs). At most one
-- row: who collects now. A collector writes its row when it starts (in an
-- IMMEDIATE transaction, after judging any existing row dead), refreshes
-- `seen_us` with every batch it commits, and deletes the row when it stops.
-- A row whose process is gone (same boot and pid namespace: the pid no
-- longer exists or was reused, by its start time) or that has not been seen
-- for a while (another boot or pid namespace) is stale and may be replaced.
CREATE TABLE collector_lease (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  token       TEXT    NOT NULL,  -- random, the holder's proof
  pid         INTEGER NOT NULL,
  start_ticks INTEGER NOT NULL,  -- /proc/<pid>/stat field 22: tells a reused pid
  boot_id     TEXT    NOT NULL,  -- /proc/sys/kernel/random/boot_id
  pid_ns      TEXT    NOT NULL,  -- readlink /proc/self/ns/pid
  hostname    TEXT    NOT NULL,
  since_us    INTEGER NOT NULL,
  seen_us     INTEGER NOT NULL
);
