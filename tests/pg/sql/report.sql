-- osteotrack_report, osteotrack_compare and osteotrack_markers equal the
-- osteotrack command's output on the same input, compared as JSON (jsonb:
-- key order and blanks are normalised, so "the same bytes" is checked as
-- "the CLI's text parsed as jsonb equals ours"). tests/pg/run.sh made the
-- CLI's outputs in PG_ABS_BUILDDIR/cli.
CREATE EXTENSION osteotrack;
CREATE SCHEMA t_report;
SET search_path = t_report, public;
\getenv dir PG_ABS_BUILDDIR
\set f :dir '/data/examples/patients.json'
CREATE TABLE docs AS
  SELECT d->>'patient_id' AS patient_id, d AS doc
  FROM jsonb_array_elements(pg_read_file(:'f')::jsonb) d;
\set f :dir '/cli/batch-patients.json.ndjson'
CREATE TABLE cli_json AS
  SELECT l::jsonb->>'patient_id' AS patient_id, l::jsonb AS report
  FROM regexp_split_to_table(rtrim(pg_read_file(:'f'), E'\n'), E'\n') l;
SELECT count(*) AS documents FROM docs;
-- every patient of patients.json: ours equals the CLI's, rejected_rows aside
SELECT patient_id,
       osteotrack_report(d.doc, '2024-06-01') - 'rejected_rows' = c.report AS equal,
       osteotrack_report(d.doc, '2024-06-01')->'rejected_rows' AS rejected_rows
FROM docs d FULL JOIN cli_json c USING (patient_id) ORDER BY patient_id;
-- rendered as text, both are the same text
SELECT count(*) AS differ FROM docs d JOIN cli_json c USING (patient_id)
WHERE (osteotrack_report(d.doc, '2024-06-01') - 'rejected_rows')::text <> c.report::text;
-- as_of defaults to current_date
SELECT osteotrack_report(doc)->>'as_of' = to_char(current_date, 'YYYY-MM-DD') AS as_of_today
FROM docs ORDER BY patient_id LIMIT 1;

-- compare and markers against the same command lines
\set f :dir '/cli/compare-1.json'
SELECT osteotrack_compare('lumbar_spine', 0.800, 0.840, '2022-03-01', '2024-03-01',
                          'alendronate') = pg_read_file(:'f')::jsonb AS compare_1;
\set f :dir '/cli/compare-2.json'
SELECT osteotrack_compare('total_hip', 0.701, 0.690, '2019-01-10', '2021-01-20',
                          lsc_percent => 2.5, baseline_device => 'DXA-1',
                          followup_device => 'DXA-2', baseline_manufacturer => 'hologic',
                          followup_manufacturer => 'ge_lunar', side => 'left')
       = pg_read_file(:'f')::jsonb AS compare_2;
\set f :dir '/cli/markers-1.json'
SELECT osteotrack_markers('ctx', 540, 190, '2019-01-10', '2019-04-15', 'alendronate')
       = pg_read_file(:'f')::jsonb AS markers_1;
\set f :dir '/cli/markers-2.json'
SELECT osteotrack_markers('p1np', 45, 120, '2020-01-10', '2020-04-15', 'teriparatide',
                          unit => 'ng/mL', therapy_start => '2020-01-12')
       = pg_read_file(:'f')::jsonb AS markers_2;
SELECT osteotrack_compare('lumbar_spine', 0.8, 0.84)->>'significance' AS significance;
-- osteotrack.config: a facility configuration, as --config; reset, the defaults again
\set f :dir '/cli/compare-config.json'
\set c :dir '/config/facility.json'
SELECT osteotrack_compare('lumbar_spine', 0.800, 0.830) = pg_read_file(:'f')::jsonb AS before;
SET osteotrack.config = :'c';
SELECT osteotrack_compare('lumbar_spine', 0.800, 0.830) = pg_read_file(:'f')::jsonb AS with_config,
       osteotrack_compare('lumbar_spine', 0.800, 0.830)->>'lsc_g_cm2' AS lsc_g_cm2;
RESET osteotrack.config;
SELECT osteotrack_compare('lumbar_spine', 0.800, 0.830) = pg_read_file(:'f')::jsonb AS after_reset;
-- a NULL required argument: NULL
SELECT osteotrack_compare(NULL, 0.8, 0.84) IS NULL AS null_site,
       osteotrack_markers('ctx', NULL, 190) IS NULL AS null_baseline,
       osteotrack_report(NULL) IS NULL AS null_document;
-- clean up for the next test
RESET search_path;
DROP SCHEMA t_report CASCADE;
DROP EXTENSION osteotrack CASCADE;
