-- Bad input: an ERROR with the library's message and its SQLSTATE, never a
-- crash (the backend answers the next query).
CREATE EXTENSION osteotrack;
CREATE SCHEMA t_errors;
SET search_path = t_errors, public;
CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- 22P02: a document that is not a patient
SELECT try($$SELECT osteotrack_report('{"sex": "F"}')$$);
SELECT try($$SELECT osteotrack_report('"P001"')$$);
SELECT try($$SELECT osteotrack_report('[]')$$);
-- 22023: two patients in one call
SELECT try($$SELECT osteotrack_report('[{"patient_id": "A"}, {"patient_id": "B"}]')$$);
-- 22007: a date outside the ones osteotrack takes
SELECT try($$SELECT osteotrack_report('{"patient_id": "A"}', '2400-01-01')$$);
SELECT try($$SELECT osteotrack_markers('ctx', 540, 190, '1066-10-14', '2019-04-15')$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, 'infinity', NULL)$$);
-- 22023: vocabulary, units, values out of range, contradictory options
SELECT try($$SELECT osteotrack_compare('nose', 0.8, 0.84)$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', -0.8, 0.84)$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, therapy => 'aspirin')$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, lsc => 0.03, lsc_percent => 3)$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, unit => 'kg')$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, months_on_therapy => -5)$$);
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84, months_on_therapy => 'NaN')$$);
SELECT try($$SELECT osteotrack_markers('bmd', 540, 190)$$);
SELECT try($$SELECT osteotrack_markers('ctx', 540, 190, unit => 'furlongs')$$);
SELECT try($$SELECT osteotrack_markers('ctx', 540, 'NaN')$$);
SELECT try($$SELECT osteotrack_report_agg(o, d)
             FROM (VALUES (('A', NULL, NULL, NULL, '2020-01-01', 'ctx', NULL, 500, 'ng/L', NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::osteotrack_observation,
                            '2024-01-01'::date),
                          (('A', NULL, NULL, NULL, '2020-02-01', 'ctx', NULL, 500, 'ng/L', NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::osteotrack_observation,
                            '2024-02-01'::date)) v(o, d)$$);
SELECT try($$SELECT osteotrack_report_agg(o, '2024-01-01')
             FROM (VALUES (('A', NULL, NULL, NULL, '2020-01-01', 'ctx', NULL, 500, 'ng/L', NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::osteotrack_observation),
                          (('B', NULL, NULL, NULL, '2020-02-01', 'ctx', NULL, 500, 'ng/L', NULL,
                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::osteotrack_observation)) v(o)$$);
-- 22P02: nested deeper than the library reads (a limit); the backend goes on
SELECT try(format($$SELECT osteotrack_report('{"patient_id": "A", "x": %s1%s}')$$,
                  repeat('[', 100), repeat(']', 100)));
-- a part of a document rejected: a WARNING, the report, counted
SELECT osteotrack_report('{"patient_id": "A", "observations": [
  {"date": "2020-01-01", "analyte": "bmd", "site": "nose", "value": 0.8, "unit": "g/cm2"}]}',
  '2024-06-01')->'rejected_rows' AS rejected_rows;
-- the settings: a data directory that is not there is an error (58P01)
-- until it is set back; a facility configuration that is not there too
SET osteotrack.data_dir = '/nonexistent/osteotrack';
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84)$$) LIKE '58P01: osteotrack: cannot load the reference data: %' AS missing_data_dir;
RESET osteotrack.data_dir;
SET osteotrack.config = '/nonexistent/facility.json';
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84)$$) LIKE '58P01: %facility.json%' AS missing_config;
\getenv dir PG_ABS_BUILDDIR
\set c :dir '/config/bad.json'
SET osteotrack.config = :'c';
SELECT regexp_replace(try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84)$$), '/.*/', '.../')
       AS bad_config;
RESET osteotrack.config;
SELECT try($$SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84)$$) AS after_reset;
-- the backend is alive
SELECT 1 AS alive;
-- clean up for the next test
RESET search_path;
DROP SCHEMA t_errors CASCADE;
DROP EXTENSION osteotrack CASCADE;
