-- pingkeeper data model, version 1. See ARCHITECTURE.md "Data model".
-- Instants are INTEGER microseconds since the Unix epoch (UTC); RTTs are
-- INTEGER microseconds, NULL when the probe was lost; configured durations are
-- INTEGER milliseconds (*_ms).

-- Destinations. A removed target whose data is kept (`target rm --keep-data`)
-- stays here with removed_at set: it is never probed again, its name is free
-- for reuse, and its samples keep their meaning.
CREATE TABLE targets (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: stray samples cannot be inherited
  name         TEXT    NOT NULL,
  host         TEXT    NOT NULL,
  family       INTEGER NOT NULL DEFAULT 0 CHECK (family IN (0, 4, 6)),  -- 0 = any
  probe        TEXT    NOT NULL DEFAULT 'icmp' CHECK (probe IN ('icmp', 'tcp')),
  port         INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
  interval_ms  INTEGER NOT NULL CHECK (interval_ms BETWEEN 100 AND 86400000),
  timeout_ms   INTEGER NOT NULL CHECK (timeout_ms BETWEEN 100 AND 60000),
  payload_size INTEGER NOT NULL DEFAULT 56 CHECK (payload_size BETWEEN 0 AND 65000),
  paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  job_only     INTEGER NOT NULL DEFAULT 0 CHECK (job_only IN (0, 1)),  -- probed only inside its jobs' windows
  description  TEXT    NOT NULL DEFAULT '',
  tags         TEXT    NOT NULL DEFAULT '{}',  -- JSON object of string values
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  removed_at   INTEGER
);
CREATE UNIQUE INDEX targets_name ON targets (name) WHERE removed_at IS NULL;

-- Time-windowed collections over targets.
CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  interval_ms   INTEGER NOT NULL CHECK (interval_ms BETWEEN 100 AND 86400000),
  count         INTEGER NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 100),  -- pings per round
  starts_at     INTEGER,            -- NULL: from creation
  ends_at       INTEGER,            -- NULL: open-ended
  windows       TEXT    NOT NULL DEFAULT '',  -- canonical weekly windows; '' = always
  tz            TEXT    NOT NULL DEFAULT 'UTC',
  metrics       TEXT    NOT NULL DEFAULT 'rtt,loss,jitter,ttl',
  path_every_ms INTEGER NOT NULL DEFAULT 600000,
  state         TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'stopped')),
  description   TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);

CREATE TABLE job_targets (
  job_id    INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, target_id)
) WITHOUT ROWID;
CREATE INDEX job_targets_target ON job_targets (target_id);

-- Each active period of a job (one per window opening).
CREATE TABLE job_runs (
  id         INTEGER PRIMARY KEY,
  job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  sent       INTEGER NOT NULL DEFAULT 0,
  received   INTEGER NOT NULL DEFAULT 0,
  errors     INTEGER NOT NULL DEFAULT 0,
  end_reason TEXT
);
CREATE INDEX job_runs_job ON job_runs (job_id, started_at);

-- Raw probe results: the source of truth. Narrow on purpose (~22 bytes a row).
-- No foreign key: deleting a target deletes its samples explicitly, in batches.
CREATE TABLE samples (
  target_id INTEGER NOT NULL,
  ts        INTEGER NOT NULL,
  rtt_us    INTEGER,                    -- NULL = lost
  status    INTEGER NOT NULL DEFAULT 0, -- core::SampleStatus
  ttl       INTEGER,
  detail    TEXT,
  PRIMARY KEY (target_id, ts)
) WITHOUT ROWID;

-- Rollups: one row per target and bucket start (µs). Sums merge; rtt_first /
-- rtt_last let jitter continue across buckets; sketch is a mergeable quantile
-- sketch (relative error <= 1 %).
CREATE TABLE rollup_1m (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_sum      INTEGER,
  rtt_sum_sq   REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;
CREATE TABLE rollup_1h (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_sum      INTEGER,
  rtt_sum_sq   REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;
CREATE TABLE rollup_1d (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_sum      INTEGER,
  rtt_sum_sq   REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;

-- Traceroute runs. target_id is NULL for an ad-hoc trace that was saved.
CREATE TABLE traces (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  target_id    INTEGER REFERENCES targets (id) ON DELETE CASCADE,
  job_id       INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  host         TEXT    NOT NULL,
  address      TEXT,
  probe        TEXT    NOT NULL CHECK (probe IN ('icmp', 'udp', 'tcp')),
  port         INTEGER,
  started_at   INTEGER NOT NULL,
  duration_us  INTEGER,
  max_hops     INTEGER NOT NULL,
  queries      INTEGER NOT NULL,
  reached      INTEGER NOT NULL DEFAULT 0,
  path_hash    TEXT,              -- identifies the hop sequence
  path_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX traces_target ON traces (target_id, started_at);

CREATE TABLE trace_hops (
  trace_id  INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,
  hop       INTEGER NOT NULL,  -- TTL
  probe     INTEGER NOT NULL,  -- query number within the hop
  address   TEXT,              -- NULL = no answer ('*')
  hostname  TEXT,
  rtt_us    INTEGER,
  icmp_type INTEGER,
  icmp_code INTEGER,
  PRIMARY KEY (trace_id, hop, probe)
) WITHOUT ROWID;

-- Key/value settings: retention per tier, rollup watermarks, notes.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO settings (key, value) VALUES
  ('retention.raw', '30d'),
  ('retention.1m', '90d'),
  ('retention.1h', '1825d'),
  ('retention.1d', 'forever');
