-- Traceroute, second form. 001's trace tables were never written (no release
-- stored a trace), so they are replaced rather than altered.
--
-- traces: one run of `traceroute` or of a job's path metric. target_id is
-- NULL for a host that is not a target (the CLI stores only targets' traces
-- today). first_ttl..max_hops were probed, `queries` probes per
-- TTL; hop_count is the last TTL the trace reports (the destination's, the
-- hop that answered unreachable, or max_hops). path_hash identifies the hop
-- sequence (analyze::path_signature); path_changed is 1 when the trace's hop
-- sequence differs from the previous trace of the same target taken the same
-- way: method, port, first_ttl, max_hops (analyze::path_changed).
DROP TABLE trace_hops;
DROP TABLE traces;

CREATE TABLE traces (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  target_id    INTEGER REFERENCES targets (id) ON DELETE CASCADE,
  job_id       INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  host         TEXT    NOT NULL,
  address      TEXT    NOT NULL,
  method       TEXT    NOT NULL CHECK (method IN ('icmp', 'udp', 'tcp')),
  port         INTEGER NOT NULL DEFAULT 0,
  started_at   INTEGER NOT NULL,  -- µs since the epoch
  duration_us  INTEGER NOT NULL,
  first_ttl    INTEGER NOT NULL,
  max_hops     INTEGER NOT NULL,
  queries      INTEGER NOT NULL,
  hop_count    INTEGER NOT NULL,
  reached      INTEGER NOT NULL DEFAULT 0,
  path_hash    TEXT    NOT NULL,
  path_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX traces_target ON traces (target_id, started_at);
CREATE INDEX traces_started ON traces (started_at);  -- retention

-- One row per probe sent: (hop = TTL, probe = query number from 1). address
-- NULL = no answer ('*'). reply: 'time_exceeded', 'unreachable', 'reached',
-- NULL when silent. icmp_type / icmp_code of the answer, NULL for a TCP
-- answer (SYN-ACK or RST) and for silence.
CREATE TABLE trace_hops (
  trace_id  INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,
  hop       INTEGER NOT NULL,
  probe     INTEGER NOT NULL,
  address   TEXT,
  hostname  TEXT,
  rtt_us    INTEGER,
  reply     TEXT CHECK (reply IN ('time_exceeded', 'unreachable', 'reached')),
  icmp_type INTEGER,
  icmp_code INTEGER,
  PRIMARY KEY (trace_id, hop, probe)
) WITHOUT ROWID;
