-- osteotrack_report_agg over the long CSV loaded with COPY equals the CLI's
-- batch of that CSV, patient by patient, whatever the rows' order.
CREATE EXTENSION osteotrack;
CREATE SCHEMA t_aggregate;
SET search_path = t_aggregate, public;
\getenv dir PG_ABS_BUILDDIR
CREATE TABLE obs OF osteotrack_observation;
\set f :dir '/data/examples/patients-long.csv'
COPY obs (patient_id, sex, birth_date, menopausal_status, date, analyte, site, value, unit, tscore, zscore, device, manufacturer, therapy, therapy_start, therapy_end)
  FROM :'f' (FORMAT csv, HEADER match);
\set f :dir '/cli/batch-patients-long.csv.ndjson'
CREATE TABLE cli_long AS
  SELECT l::jsonb->>'patient_id' AS patient_id, l::jsonb AS report
  FROM regexp_split_to_table(rtrim(pg_read_file(:'f'), E'\n'), E'\n') l;
SELECT count(*) AS rows, count(DISTINCT patient_id) AS patients FROM obs;
CREATE TABLE agg AS
  SELECT patient_id, osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') AS r
  FROM obs o GROUP BY patient_id;
SELECT patient_id, a.r - 'rejected_rows' = c.report AS equal, a.r->'rejected_rows' AS rejected_rows
FROM agg a FULL JOIN cli_long c USING (patient_id) ORDER BY patient_id;
-- the rows in other orders: the same reports
SELECT count(*) AS differ FROM agg a JOIN (
  SELECT patient_id,
         osteotrack_report_agg(o::osteotrack_observation, '2024-06-01' ORDER BY random()) AS r1,
         osteotrack_report_agg(o::osteotrack_observation, '2024-06-01'
                               ORDER BY o.date DESC, o.analyte DESC) AS r2
  FROM obs o GROUP BY patient_id) s USING (patient_id)
WHERE a.r <> s.r1 OR a.r <> s.r2;
-- the side column: the left and the right hip are two series, as in the CLI
CREATE TABLE sides OF osteotrack_observation;
\set f :dir '/data/examples/sides.csv'
COPY sides (patient_id, date, analyte, site, side, value, unit, tscore, therapy, sex, birth_date,
            menopausal_status) FROM :'f' (FORMAT csv, HEADER match);
\set f :dir '/cli/batch-sides.csv.ndjson'
SELECT osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') - 'rejected_rows'
       = pg_read_file(:'f')::jsonb AS sides_equal,
       jsonb_path_query_array(osteotrack_report_agg(o::osteotrack_observation, '2024-06-01'),
                              '$.bmd[*].side') AS sides
FROM sides o GROUP BY patient_id;
-- a row expression of the issue's shape
SELECT osteotrack_report_agg((patient_id, sex, birth_date, menopausal_status, date, analyte,
                              site, value, unit, tscore, zscore, device, manufacturer, therapy,
                              therapy_start, therapy_end, side, region)::osteotrack_observation,
                             '2024-06-01')->>'assessment' AS assessment
FROM obs WHERE patient_id LIKE 'P001%';
-- rejected rows: a WARNING each, naming the patient and the row, counted
INSERT INTO obs (patient_id, date, analyte, site, value, unit)
VALUES ('P001-responder-alendronate', '2020-05-05', 'bmd', 'nose', 0.8, 'g/cm2'),
       ('P001-responder-alendronate', '2020-05-06', 'ctx', NULL, -5, 'ng/L');
SELECT patient_id, osteotrack_report_agg(o::osteotrack_observation, '2024-06-01')->'rejected_rows'
       AS rejected_rows
FROM obs o WHERE patient_id LIKE 'P001%' GROUP BY patient_id;
-- and the rest of the report is unchanged
SELECT (SELECT osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') - 'rejected_rows'
        FROM obs o WHERE patient_id LIKE 'P001%')
       = (SELECT report FROM cli_long WHERE patient_id LIKE 'P001%') AS rest_equal;
-- every row rejected: no report (NULL), each row said
SELECT osteotrack_report_agg(('X1', NULL, NULL, NULL, '2020-01-01', 'bmd', 'nose', 0.8, 'g/cm2',
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::osteotrack_observation,
                             '2024-06-01') IS NULL AS no_report;
-- text that CSV must quote (a comma, quotes) reaches the report as it was;
-- a device name with a line break is rejected (a control character), and the
-- rows after it are still named right
CREATE TABLE q OF osteotrack_observation;
INSERT INTO q (patient_id, date, analyte, site, value, unit, device, manufacturer) VALUES
  ('Q1, "quoted"', '2020-01-10', 'bmd', 'lumbar_spine', 0.81, 'g/cm2', 'DXA,"7"', 'hologic'),
  ('Q1, "quoted"', '2022-01-10', 'bmd', 'lumbar_spine', 0.85, 'g/cm2', 'DXA,"7"', 'hologic'),
  ('Q1, "quoted"', '2021-01-10', 'bmd', 'lumbar_spine', 0.83, 'g/cm2', E'DXA\n8', 'hologic'),
  ('Q1, "quoted"', '2021-06-10', 'bmd', 'total_hip', 0.7, 'kg', 'DXA,"7"', 'hologic');
SELECT r->>'patient_id' AS patient_id, r->'bmd'->0->>'device' AS device,
       r->'bmd'->0->>'change_g_cm2' AS change_g_cm2, r->'rejected_rows' AS rejected_rows
FROM (SELECT osteotrack_report_agg(q::osteotrack_observation, '2024-06-01') AS r FROM q) s;
-- no rows: NULL
SELECT osteotrack_report_agg(o::osteotrack_observation, '2024-06-01') IS NULL AS none
FROM obs o WHERE false;
-- clean up for the next test
RESET search_path;
DROP SCHEMA t_aggregate CASCADE;
DROP EXTENSION osteotrack CASCADE;
