-- The aggregate in parallel: Partial and Finalize Aggregate under a Gather,
-- two workers launched, and the same reports as without workers. The rows
-- of 500 copies of each example patient are in random order, so most
-- patients' rows are split between the workers (combine, serialize and
-- deserialize all run).
CREATE EXTENSION osteotrack;
CREATE SCHEMA t_parallel;
SET search_path = t_parallel, public;
\getenv dir PG_ABS_BUILDDIR
CREATE TABLE obs OF osteotrack_observation;
\set f :dir '/data/examples/patients-long.csv'
COPY obs (patient_id, sex, birth_date, menopausal_status, date, analyte, site, value, unit, tscore, zscore, device, manufacturer, therapy, therapy_start, therapy_end)
  FROM :'f' (FORMAT csv, HEADER match);
-- a plain table (not typed): ROW(b.*) makes its rows observations
CREATE TABLE big AS
  SELECT patient_id || '-' || i AS patient_id, sex, birth_date, menopausal_status, date, analyte,
         site, value, unit, tscore, zscore, device, manufacturer, therapy, therapy_start,
         therapy_end, side, region
  FROM obs, generate_series(1, 500) i ORDER BY random();
ANALYZE big;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT patient_id, osteotrack_report_agg(ROW(b.*)::osteotrack_observation, '2024-06-01')
FROM big b GROUP BY patient_id;
CREATE FUNCTION workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
  RETURN (SELECT max((p->>'Workers Launched')::int) FROM json_array_elements(
    json_build_array(plan->0->'Plan', plan->0->'Plan'->'Plans'->0,
                     plan->0->'Plan'->'Plans'->0->'Plans'->0)) p);
END $$;
SELECT workers_launched($$SELECT patient_id, osteotrack_report_agg(ROW(b.*)::osteotrack_observation,
                                 '2024-06-01') FROM big b GROUP BY patient_id$$);
CREATE TABLE par AS
  SELECT patient_id, osteotrack_report_agg(ROW(b.*)::osteotrack_observation, '2024-06-01') AS r
  FROM big b GROUP BY patient_id;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT patient_id, osteotrack_report_agg(ROW(b.*)::osteotrack_observation, '2024-06-01')
FROM big b GROUP BY patient_id;
CREATE TABLE ser AS
  SELECT patient_id, osteotrack_report_agg(ROW(b.*)::osteotrack_observation, '2024-06-01') AS r
  FROM big b GROUP BY patient_id;
SELECT (SELECT count(*) FROM par) AS parallel_reports, (SELECT count(*) FROM ser) AS serial_reports,
       (SELECT count(*) FROM par FULL JOIN ser USING (patient_id)
        WHERE par.r IS DISTINCT FROM ser.r) AS differ;
-- and each copy's report is its patient's report (the id aside)
SELECT count(*) AS differ_from_original FROM ser s
JOIN (SELECT patient_id, osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') AS r
      FROM obs o GROUP BY patient_id) a ON s.patient_id LIKE a.patient_id || '-%'
WHERE s.r - 'patient_id' <> a.r - 'patient_id';
-- clean up for the next test
RESET search_path;
DROP SCHEMA t_parallel CASCADE;
DROP EXTENSION osteotrack CASCADE;
