-- A large ledger for the page benchmark, generated inside Postgres (no ingestion): loaded by
-- `cargo xtask bench-pages` into a fresh, migrated database. Tenant 1 (`bench-large`): 10,000
-- events, 50 versions (5 applications x 2 platforms x 5 versions), 400 screens, 100,000
-- combinations (10 per event), 5,000 of them active in any hour (each event every other hour),
-- 35 days of hourly detail, a year of daily roll-ups, 10 keys per event. Tenants 2 and 3 are a
-- tenth of that; the daily totals by event, version and screen are summed from the daily rows,
-- as ingestion does. The latest hour is 2026-11-20T23:00:00Z. hourly_keys is not loaded: no page
-- reads it.
CREATE OR REPLACE FUNCTION bench_tenant(t BIGINT, slug TEXT, n_events INT) RETURNS VOID AS $$
DECLARE
  latest BIGINT := 1795132800 + 23 * 3600;   -- 2026-11-20T23
  day0 BIGINT := 1795132800;                  -- 2026-11-20
  hours_from BIGINT := 1795132800 - 34 * 86400;
  days_from BIGINT := 1795132800 - 364 * 86400;
  base BIGINT := t * 10000000;
  n_combos INT := n_events * 10;
BEGIN
  INSERT INTO tenants (id, slug, name, discovered_at, retention_days)
    VALUES (t, slug, slug, now(), 35);
  INSERT INTO applications (id, tenant_id, name, platform, first_seen, last_seen, status)
    SELECT base + a * 2 + p, t, 'App ' || a, CASE p WHEN 0 THEN 'Android' ELSE 'iOS' END,
           days_from, latest, 'active'
    FROM generate_series(0, 4) a, generate_series(0, 1) p;
  INSERT INTO app_versions (id, tenant_id, application_id, version, first_seen, last_seen)
    SELECT base + 100 + v, t, base + v / 5, '3.' || (v % 5), days_from + (v % 5) * 86400 * 60, latest
    FROM generate_series(0, 49) v;
  INSERT INTO screens (id, tenant_id, name, first_seen, last_seen, status)
    SELECT base + 1000 + s, t, 'Screen ' || s, days_from, latest, 'active' FROM generate_series(0, 399) s;
  INSERT INTO events (id, tenant_id, name, first_seen, last_seen, description, status)
    SELECT base + 100000 + e, t, 'event' || lpad(e::text, 5, '0'),
           CASE WHEN e % 50 = 0 THEN latest - 3 * 86400 ELSE days_from END,
           CASE WHEN e % 97 = 0 THEN latest - 10 * 86400 ELSE latest END,
           CASE WHEN e % 3 = 0 THEN 'Sent when thing ' || e || ' happens' END, 'active'
    FROM generate_series(0, n_events - 1) e;
  INSERT INTO combinations (id, tenant_id, version_id, screen_id, event_id, first_seen, last_seen)
    SELECT base + 1000000 + c, t, base + 100 + ((c / 10) * 7 + (c % 10) * 13) % 50,
           base + 1000 + ((c / 10) * 31 + (c % 10) * 17) % 400, base + 100000 + c / 10,
           days_from, latest
    FROM generate_series(0, n_combos - 1) c;
  -- Hourly detail: slot 0 of each event, every other hour.
  INSERT INTO hourly_counts (tenant_id, hour, combination_id, events, sessions)
    SELECT t, hours_from + h * 3600, base + 1000000 + e * 10, 1 + (e * 37 + h) % 200, 1 + ((e * 37 + h) % 200) / 3
    FROM generate_series(0, 35 * 24 - 1) h, generate_series(0, n_events - 1) e
    WHERE (e + h) % 2 = 0;
  -- Daily roll-ups for a year: slot 0 of every event every day, plus slot 1 for the first 300 days.
  INSERT INTO daily_counts (tenant_id, day, combination_id, events, sessions)
    SELECT t, days_from + d * 86400, base + 1000000 + e * 10 + s, 1200 + (e * 13 + d) % 1000, 400 + (e + d) % 300
    FROM generate_series(0, 364) d, generate_series(0, n_events - 1) e, generate_series(0, 1) s
    WHERE s = 0 OR d < 300;
  INSERT INTO event_days (tenant_id, day, event_id, events)
    SELECT d.tenant_id, d.day, c.event_id, SUM(d.events) FROM daily_counts d
    JOIN combinations c ON c.id = d.combination_id WHERE d.tenant_id = t GROUP BY d.tenant_id, d.day, c.event_id
    ORDER BY d.day;
  INSERT INTO version_event_days (tenant_id, day, version_id, event_id, events)
    SELECT d.tenant_id, d.day, c.version_id, c.event_id, SUM(d.events) FROM daily_counts d
    JOIN combinations c ON c.id = d.combination_id WHERE d.tenant_id = t
    GROUP BY d.tenant_id, d.day, c.version_id, c.event_id ORDER BY d.day;
  INSERT INTO screen_days (tenant_id, day, screen_id, events)
    SELECT d.tenant_id, d.day, c.screen_id, SUM(d.events) FROM daily_counts d
    JOIN combinations c ON c.id = d.combination_id WHERE d.tenant_id = t GROUP BY d.tenant_id, d.day, c.screen_id
    ORDER BY d.day;
  INSERT INTO hourly_sessions (tenant_id, hour, version_id, sessions, sketch, events)
    SELECT t, hours_from + h * 3600, base + 100 + v, 500 + (v * 7 + h) % 300, decode('0100000a', 'hex'), 20000 + (v * 11 + h) % 5000
    FROM generate_series(0, 35 * 24 - 1) h, generate_series(0, 49) v;
  INSERT INTO daily_sessions (tenant_id, day, version_id, sessions, sketch, events)
    SELECT t, days_from + d * 86400, base + 100 + v, 9000 + (v * 7 + d) % 3000,
           decode('02' || repeat(lpad(to_hex(5 + (v + d) % 7), 2, '0'), 4096), 'hex'), 480000 + (v * 11 + d) % 50000
    FROM generate_series(0, 364) d, generate_series(0, 49) v;
  INSERT INTO event_keys (id, tenant_id, event_id, path, first_seen, last_seen)
    SELECT base + 2000000 + e * 10 + k, t, base + 100000 + e, 'properties_' || k, days_from, latest
    FROM generate_series(0, n_events - 1) e, generate_series(0, 9) k;
  INSERT INTO key_types (id, tenant_id, key_id, json_type, first_seen, last_seen)
    SELECT base + 3000000 + e * 10 + k, t, base + 2000000 + e * 10 + k,
           CASE WHEN k = 9 THEN 'integer' ELSE 'string' END, days_from, latest
    FROM generate_series(0, n_events - 1) e, generate_series(0, 9) k;
  INSERT INTO daily_keys (tenant_id, day, version_id, key_id, string_count, integer_count, number_count,
                          boolean_count, object_count, array_count, null_count)
    SELECT t, hours_from + d * 86400, base + 100 + ((e * 7) % 50), base + 2000000 + e * 10 + k,
           CASE WHEN k = 9 THEN 0 ELSE 1000 END, CASE WHEN k = 9 THEN 1000 ELSE 0 END, 0, 0, 0, 0, 0
    FROM generate_series(0, 34) d, generate_series(0, n_events - 1) e, generate_series(0, 9) k;
  INSERT INTO discoveries (tenant_id, kind, subject_id, label, hour, news, run_id, created_at)
    SELECT t, 'event', base + 100000 + e, 'event' || lpad(e::text, 5, '0'),
           CASE WHEN e % 50 = 0 THEN latest - 3 * 86400 ELSE days_from END, e % 50 = 0, NULL, 0
    FROM generate_series(0, n_events - 1) e;
  INSERT INTO ingestion_runs (id, tenant_id, hour, status, trigger, started_at, finished_at, files, bytes, lines, events, rejected)
    SELECT base + h, t, hours_from + h * 3600, 'ok', 'schedule', 0, 0, 4, 1000000, 60000, 59990, 10
    FROM generate_series(0, 35 * 24 - 1) h;
  INSERT INTO ingested_hours (tenant_id, hour, status, run_id, files, ingested_at)
    SELECT t, hours_from + h * 3600, 'ok', base + h, '[]', 0 FROM generate_series(0, 35 * 24 - 1) h;
END $$ LANGUAGE plpgsql;

SELECT bench_tenant(1, 'bench-large', 10000);
SELECT bench_tenant(2, 'bench-medium', 1000);
SELECT bench_tenant(3, 'bench-small', 1000);
DROP FUNCTION bench_tenant;
-- As autovacuum would after a bulk load: statistics, and the visibility map that lets the range
-- indexes answer sums without visiting the table.
VACUUM ANALYZE;
