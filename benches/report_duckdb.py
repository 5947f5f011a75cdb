"""DuckDB's times for the summary and the usage report over one activity log (the anchor of
benches/report.rs): prints the median seconds of five runs, after one warm-up, of

- summary: loading the columns the summary reads (read_ndjson with the columns given) into a
  table, then its figures: active users, requests, errors, per-user requests, errors, features
  and session time, top features, errors by status;
- usage: actions per type and user in one query;
- count: the number of lines (the scan alone).

usage: python3 report_duckdb.py LOG FROM TO   (FROM, TO: RFC 3339, as the lines write them)
"""
import statistics
import sys
import time

import duckdb

path, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
COLUMNS = """{timestamp: 'VARCHAR', event: 'VARCHAR',
  action: 'STRUCT(action_type VARCHAR, description VARCHAR, result VARCHAR, duration_ms DOUBLE,
                  data STRUCT(status_code BIGINT, feature VARCHAR))',
  session: 'STRUCT(session_id VARCHAR, user_id VARCHAR)',
  context: 'STRUCT(request_id VARCHAR, url VARCHAR, feature VARCHAR)'}"""
SOURCE = f"read_ndjson('{path}', columns={COLUMNS}, ignore_errors=true)"
WINDOW = f"event = 'user_action' AND timestamp >= '{start}' AND timestamp < '{end}'"

SUMMARY = [
    f"""CREATE OR REPLACE TEMP TABLE t AS
        SELECT timestamp, action.action_type AS kind, action.description AS description,
               action.result AS result, action.data.status_code AS code,
               coalesce(context.feature, action.data.feature) AS feature,
               nullif(session.user_id, '') AS user_id, session.session_id AS session_id,
               context.request_id AS request_id, context.url AS url
        FROM {SOURCE} WHERE {WINDOW}""",
    """SELECT count(DISTINCT user_id), count(code), count(*) FILTER (WHERE code >= 400) FROM t""",
    """SELECT user_id, count(code), count(*) FILTER (WHERE code >= 400),
              list(DISTINCT feature ORDER BY feature) FILTER (WHERE code IS NOT NULL)
       FROM t WHERE user_id IS NOT NULL GROUP BY user_id""",
    """SELECT user_id, sum(epoch(last - first)) / 60 FROM (
         SELECT user_id, session_id, max(timestamp::TIMESTAMP) AS last, min(timestamp::TIMESTAMP) AS first
         FROM t WHERE user_id IS NOT NULL AND session_id IS NOT NULL GROUP BY ALL) GROUP BY user_id""",
    """SELECT feature, count(*) AS n FROM t WHERE code IS NOT NULL AND feature IS NOT NULL
       GROUP BY feature ORDER BY n DESC, feature""",
    """SELECT code, count(*) FROM t WHERE code >= 400 GROUP BY code ORDER BY code""",
    """SELECT r.user_id, split_part(r.url, '?', 1), coalesce(e.description, r.result), r.timestamp, r.code
       FROM t r LEFT JOIN (SELECT request_id, min_by(description, timestamp) AS description FROM t
                           WHERE kind = 'error' GROUP BY request_id) e USING (request_id)
       WHERE r.code >= 400 AND r.user_id IS NOT NULL ORDER BY r.user_id, r.timestamp""",
]
USAGE = [
    f"""SELECT action.action_type, coalesce(nullif(session.user_id, ''), 'anonymous'), count(*)
        FROM {SOURCE} WHERE {WINDOW} GROUP BY ALL"""
]
COUNT = [f"SELECT count(*) FROM read_ndjson('{path}', columns={{timestamp: 'VARCHAR'}}, ignore_errors=true)"]


def timed(con, queries):
    started = time.perf_counter()
    for query in queries:
        con.execute(query).fetchall()
    return time.perf_counter() - started


con = duckdb.connect()
for queries in (SUMMARY, USAGE, COUNT):
    timed(con, queries)
    print(f"{statistics.median(timed(con, queries) for _ in range(5)):.4f}")
