-- Memory stays flat: after a warm-up (the reference data loaded, malloc's
-- arenas grown to their working size, which takes some 100,000 calls to
-- settle within 3 MB), 100,000 calls of each function (and the aggregate over
-- 9,000 groups) grow the backend's resident memory by less than 6 MB (20 bytes a
-- call over the 309,000) and its memory contexts by less than 256 kB. The library's
-- allocations are malloc'd and freed within each call: leaking one JSON
-- report a call grew it by 1.5 GB (tried).
CREATE EXTENSION osteotrack;
CREATE SCHEMA t_memory;
SET search_path = t_memory, public;
\getenv dir PG_ABS_BUILDDIR
\set f :dir '/data/examples/patients.json'
CREATE TABLE docs AS
  SELECT row_number() OVER () AS n, d AS doc
  FROM jsonb_array_elements(pg_read_file(:'f')::jsonb) d;
CREATE TABLE obs OF osteotrack_observation;
\set f :dir '/data/examples/patients-long.csv'
COPY obs (patient_id, sex, birth_date, menopausal_status, date, analyte, site, value, unit, tscore, zscore, device, manufacturer, therapy, therapy_start, therapy_end)
  FROM :'f' (FORMAT csv, HEADER match);
CREATE FUNCTION rss_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;
CREATE FUNCTION contexts_bytes() RETURNS bigint LANGUAGE sql AS $$
  SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
CREATE FUNCTION work(calls int) RETURNS bigint LANGUAGE sql AS $$
  SELECT (SELECT sum(length(osteotrack_report(doc, '2024-06-01')::text))
          FROM generate_series(1, calls) i JOIN docs ON docs.n = 1 + i % (SELECT count(*) FROM docs))
       + (SELECT sum(length(osteotrack_compare('lumbar_spine', 0.8, 0.8 + i / 1e7, '2020-01-01',
                                               '2022-01-01', 'alendronate')::text))
          FROM generate_series(1, calls) i)
       + (SELECT sum(length(osteotrack_markers('ctx', 540, 100 + i % 300, '2020-01-01',
                                               '2020-04-01', 'alendronate')::text))
          FROM generate_series(1, calls) i)
       + (SELECT sum(length(r::text)) FROM (
            SELECT osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') AS r
            FROM obs o, generate_series(1, calls / 200) i GROUP BY o.patient_id, i) s) $$;
SELECT work(20000) > 0 AS warm;
CREATE TEMP TABLE m0 AS SELECT rss_kb() AS rss, contexts_bytes() AS ctx;
SELECT work(100000) > 0 AS done;
SELECT rss_kb() - rss < 6144 AS rss_flat, contexts_bytes() - ctx < 262144 AS contexts_flat,
       CASE WHEN rss_kb() - rss >= 6144 THEN rss_kb() - rss END AS rss_growth_kb
FROM m0;
-- clean up for the next test
RESET search_path;
DROP SCHEMA t_memory CASCADE;
DROP EXTENSION osteotrack CASCADE;
