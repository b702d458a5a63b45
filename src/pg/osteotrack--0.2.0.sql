-- osteotrack inside PostgreSQL (README "Inside PostgreSQL").
\echo Use "CREATE EXTENSION osteotrack" to load this file. \quit

-- One row of the long CSV (one observation a row): its columns, in the order
-- of data/examples/patients-long.csv, then side (left/right: a hip or radius)
-- and region (the vertebrae of a spine scan, e.g. L2-L4), which that file does
-- not use. The aggregate renders rows of this type as long CSV and reads them
-- with the library's patient reader.
CREATE TYPE osteotrack_observation AS (
  patient_id text,
  sex text,
  birth_date date,
  menopausal_status text,
  date date,
  analyte text,
  site text,
  value float8,
  unit text,
  tscore float8,
  zscore float8,
  device text,
  manufacturer text,
  therapy text,
  therapy_start date,
  therapy_end date,
  side text,
  region text
);

-- The report of one patient document, as `osteotrack batch` writes it, plus
-- "rejected_rows" (parts of the document left out, each said in a WARNING).
CREATE FUNCTION osteotrack_report(patient jsonb, as_of date DEFAULT current_date)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'osteotrack_report'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- Two scans of one site against the LSC (osteotrack compare). NULL when
-- site, baseline or followup is NULL. lsc in g/cm2, or lsc_percent.
CREATE FUNCTION osteotrack_compare(site text, baseline float8, followup float8,
                                   baseline_date date DEFAULT NULL,
                                   followup_date date DEFAULT NULL,
                                   therapy text DEFAULT NULL,
                                   lsc float8 DEFAULT NULL,
                                   lsc_percent float8 DEFAULT NULL,
                                   unit text DEFAULT NULL,
                                   baseline_device text DEFAULT NULL,
                                   followup_device text DEFAULT NULL,
                                   baseline_manufacturer text DEFAULT NULL,
                                   followup_manufacturer text DEFAULT NULL,
                                   months_on_therapy float8 DEFAULT NULL,
                                   side text DEFAULT NULL,
                                   baseline_region text DEFAULT NULL,
                                   followup_region text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'osteotrack_compare'
LANGUAGE C STABLE PARALLEL SAFE;

-- A bone turnover marker's response to therapy (osteotrack markers). NULL
-- when analyte, baseline or followup is NULL.
CREATE FUNCTION osteotrack_markers(analyte text, baseline float8, followup float8,
                                   baseline_date date DEFAULT NULL,
                                   followup_date date DEFAULT NULL,
                                   therapy text DEFAULT NULL,
                                   unit text DEFAULT NULL,
                                   therapy_start date DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'osteotrack_markers'
LANGUAGE C STABLE PARALLEL SAFE;

-- The aggregate's support functions (internal state: the rows as CSV lines).
CREATE FUNCTION osteotrack_agg_trans(internal, osteotrack_observation, date)
RETURNS internal AS 'MODULE_PATHNAME', 'osteotrack_agg_trans'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION osteotrack_agg_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'osteotrack_agg_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION osteotrack_agg_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'osteotrack_agg_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION osteotrack_agg_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'osteotrack_agg_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION osteotrack_agg_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'osteotrack_agg_final'
LANGUAGE C STABLE PARALLEL SAFE;

-- The report of one patient from its rows, in any order:
--   SELECT patient_id, osteotrack_report_agg(t::osteotrack_observation, '2025-01-01')
--   FROM dxa t GROUP BY patient_id;
-- Rejected rows are WARNINGs naming the patient and the row, counted in the
-- report's "rejected_rows"; NULL when every row was rejected.
CREATE AGGREGATE osteotrack_report_agg(osteotrack_observation, date) (
  SFUNC = osteotrack_agg_trans,
  STYPE = internal,
  FINALFUNC = osteotrack_agg_final,
  COMBINEFUNC = osteotrack_agg_combine,
  SERIALFUNC = osteotrack_agg_serialize,
  DESERIALFUNC = osteotrack_agg_deserialize,
  PARALLEL = SAFE
);
