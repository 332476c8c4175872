-- Rollups, second form. 001's rollup tables were never filled (no release
-- wrote them), so they are replaced rather than altered: each row now holds
-- exactly what analyze::Summary::Parts and analyze::Sketch need, so a row
-- merges with its neighbours without loss (mean and M2 instead of sum and sum
-- of squares: no cancellation for the variance).
--
-- A row summarises one target's samples with ts in [bucket, bucket + width):
-- width 60 s, 3600 s, 86400 s (UTC days), bucket in µs since the epoch.
-- RTT columns are µs; rtt_mean / rtt_m2 / rtt_min / rtt_max / rtt_first /
-- rtt_last are NULL when received = 0. sketch is analyze::Sketch::serialize().
-- ok_count is the number of answered samples (status ok or refused), ok_first
-- / ok_last the ts (µs) of the first and last of them, NULL when none;
-- ok_gap_max is the largest time (µs) between two consecutive answers inside
-- the bucket, 0 with fewer than two (analyze::AnswerGaps: downtime reads raw
-- samples only where answers are far enough apart with losses between).
DROP TABLE rollup_1m;
DROP TABLE rollup_1h;
DROP TABLE rollup_1d;

CREATE TABLE rollup_1m (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_mean     REAL,
  rtt_m2       REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB NOT NULL,
  ok_count     INTEGER NOT NULL DEFAULT 0,
  ok_first     INTEGER,
  ok_last      INTEGER,
  ok_gap_max   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;
CREATE TABLE rollup_1h (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_mean     REAL,
  rtt_m2       REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB NOT NULL,
  ok_count     INTEGER NOT NULL DEFAULT 0,
  ok_first     INTEGER,
  ok_last      INTEGER,
  ok_gap_max   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;
CREATE TABLE rollup_1d (
  target_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  sent         INTEGER NOT NULL,
  received     INTEGER NOT NULL,
  rtt_mean     REAL,
  rtt_m2       REAL,
  rtt_min      INTEGER,
  rtt_max      INTEGER,
  rtt_first    INTEGER,
  rtt_last     INTEGER,
  jitter_sum   INTEGER NOT NULL DEFAULT 0,
  jitter_count INTEGER NOT NULL DEFAULT 0,
  sketch       BLOB NOT NULL,
  ok_count     INTEGER NOT NULL DEFAULT 0,
  ok_first     INTEGER,
  ok_last      INTEGER,
  ok_gap_max   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (target_id, bucket)
) WITHOUT ROWID;

-- Buckets below a tier's watermark that must be recomputed because samples
-- arrived after the bucket was rolled up (imports, the API, a slow reply).
-- store::samples::insert_batch adds the 1m marks; the rollup pass turns a
-- recomputed 1m bucket into a 1h mark, and a 1h one into a 1d mark.
CREATE TABLE rollup_dirty (
  tier      TEXT    NOT NULL CHECK (tier IN ('1m', '1h', '1d')),
  target_id INTEGER NOT NULL,
  bucket    INTEGER NOT NULL,
  PRIMARY KEY (tier, target_id, bucket)
) WITHOUT ROWID;

-- Rollup watermarks and retention horizons live in settings:
--   rollup.watermark.<tier>  every bucket of <tier> that starts before it is
--                            rolled up (µs, aligned to the tier's width);
--                            absent = nothing rolled up yet.
--   horizon.<tier>           rows of <tier> (raw: samples) older than this were
--                            pruned (µs); absent = nothing pruned.
