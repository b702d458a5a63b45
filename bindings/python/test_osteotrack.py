"""Tests of the ctypes wrapper (unittest; no third-party package).

Run by CTest with the built library and the source tree's data:
    OSTEOTRACK_LIBRARY=build/src/lib/libosteotrack.so OSTEOTRACK_DATA_DIR=data \
    OSTEOTRACK_SOURCE_DIR=. python3 -m unittest -v bindings/python/test_osteotrack.py
The golden outputs of the command (tests/cli/cases, data/examples) are the
expected results, so the wrapper must give what the command gives.
The same tests run against an installed copy in a fresh virtual environment
(tests/install/python-package-test.sh): there the directory of this file holds
no osteotrack module, and the installed one is imported.
"""

import csv
import datetime
import json
import os
import re
import sys
import threading
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import osteotrack  # noqa: E402

SRC = os.environ.get("OSTEOTRACK_SOURCE_DIR",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def golden(case):
    with open(os.path.join(SRC, "tests", "cli", "cases", case, "stdout"), encoding="utf-8") as f:
        return json.load(f)


def case_file(case, name):
    return os.path.join(SRC, "tests", "cli", "cases", case, name)


def example(name):
    return os.path.join(SRC, "data", "examples", name)


class WrapperTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ot = osteotrack.load()

    @classmethod
    def tearDownClass(cls):
        cls.ot.close()

    def test_version_and_data(self):
        with open(os.path.join(SRC, "include", "osteotrack.h"), encoding="utf-8") as f:
            header = re.search(r'#define OT_VERSION_STRING "([^"]+)"', f.read()).group(1)
        self.assertEqual(osteotrack.library_version(), header)
        self.assertEqual(self.ot.version, header)
        self.assertTrue(os.path.isfile(os.path.join(self.ot.data_dir, "lsc.json")))
        # the wrapper is written for one ABI (the header's major.minor) and
        # refuses a library of another, instead of calling it with wrong layouts
        self.assertTrue(header.startswith(osteotrack.ABI + "."))
        # the version it was built for is the header's, and its ABI the major.minor
        self.assertEqual(osteotrack.__version__, header)
        self.assertEqual(osteotrack.ABI, ".".join(header.split(".")[:2]))
        self.assertTrue(os.path.basename(osteotrack.library_path()).startswith("libosteotrack.so"))
        saved, cache = osteotrack.ABI, dict(osteotrack._lib_cache)
        try:
            osteotrack.ABI = "9.9"
            osteotrack._lib_cache.clear()
            with self.assertRaises(osteotrack.OsteotrackError) as e:
                osteotrack.load()
            self.assertIn("not the ABI 9.9", str(e.exception))
        finally:
            osteotrack.ABI = saved
            osteotrack._lib_cache.clear()
            osteotrack._lib_cache.update(cache)

    def test_compare_is_the_commands(self):
        # compare --site spine --from 0.800 --to 0.840 --from-date 2019-01-10 --to-date 2021-01-10
        r = self.ot.compare("spine", 0.800, 0.840, from_date="2019-01-10",
                            to_date=datetime.date(2021, 1, 10))
        self.assertEqual(r, golden("compare-worked-default-lsc"))
        self.assertEqual(r["significance"], "stable")
        self.assertTrue(r["lsc_default"])
        r = self.ot.compare("lumbar_spine", 0.800, 0.840, from_date="2019-01-10",
                            to_date="2021-01-10", lsc=0.028)
        self.assertEqual(r, golden("compare-worked-facility-lsc"))
        self.assertEqual(r["significance"], "increase")

    def test_compare_percent_lsc_and_therapy(self):
        r = self.ot.compare("lumbar_spine", 0.800, 0.824, from_date="2019-01-10",
                            to_date="2021-01-10", therapy="Fosamax")
        self.assertEqual(r, golden("compare-therapy-expected"))
        r = self.ot.compare("total_hip", 0.800, 0.840, lsc="3%")
        self.assertEqual(r["lsc_pct"], 3)
        self.assertEqual(r["significance"], "increase")
        self.assertIsNone(r["months"])  # no dates: null, never 0

    def test_compare_devices(self):
        r = self.ot.compare("total_hip", 0.700, 0.760, from_device="DXA-1", to_device="DXA-2")
        self.assertEqual(r, golden("compare-devices-differ"))

    def test_compare_errors(self):
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.compare("knee", 0.8, 0.84)
        self.assertEqual(e.exception.name, "OT_EVOCAB")
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.compare("spine", -0.8, 0.84)
        self.assertEqual(e.exception.name, "OT_ERANGE")
        self.assertIn("plausible", str(e.exception))
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.compare("spine", 0.8, 0.84, from_date="2023-02-30")
        self.assertEqual(e.exception.name, "OT_EDATE")
        with self.assertRaises(osteotrack.OsteotrackError):
            self.ot.compare("spine", 0.8, 0.84, from_date="2024-01-01", to_date="2023-01-01")

    def test_markers_are_the_commands(self):
        r = self.ot.markers("ctx", 540, 190, therapy="alendronate", from_date="2024-01-08",
                            to_date="2024-04-08")
        self.assertEqual(r, golden("markers-ctx-responding"))
        r = self.ot.markers("p1np", 45, 62, therapy="teriparatide", therapy_start="2024-01-08",
                            from_date="2024-01-05", to_date="2024-03-08")
        self.assertEqual(r, golden("markers-p1np-anabolic-responding"))
        r = self.ot.markers("ctx", 0.54, 0.19, unit="ng/mL", therapy="alendronate")
        self.assertEqual((r["baseline"], r["value"], r["response"]), (540, 190, "responding"))
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.markers("ctx", 540, 190, unit="mmol/L")
        self.assertEqual(e.exception.name, "OT_EVOCAB")

    def test_reports_are_the_commands(self):
        with open(example("patients.json"), encoding="utf-8") as f:
            patients = json.load(f)
        with open(example("patients.expected.ndjson"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
        got = list(self.ot.reports(patients, as_of="2024-06-01"))
        self.assertEqual(len(got), len(expected))
        for g, x in zip(got, expected):
            self.assertEqual(g, x, g["patient_id"])
        one = self.ot.report(json.dumps(patients[0]), as_of=datetime.date(2024, 6, 1))
        self.assertEqual(one, expected[0])

    def test_report_rejections_are_never_silent(self):
        patient = {"patient_id": "R1",
                   "therapies": [{"agent": "alendronate", "start": "2020-01-01"}],
                   "observations": [
                       {"date": "2020-01-01", "analyte": "bmd", "site": "knee", "value": 0.8},
                       {"date": "2020-01-01", "analyte": "bmd", "site": "spine", "value": 0.8},
                       {"date": "2022-01-01", "analyte": "bmd", "site": "spine", "value": 0.85}]}
        rejected = []
        r = self.ot.report(patient, as_of="2024-06-01", rejected=rejected)
        self.assertEqual(len(r["bmd"]), 1)
        self.assertEqual(len(rejected), 1)
        self.assertIn("observations[0]", rejected[0])
        self.assertIn("knee", rejected[0])
        with self.assertRaises(osteotrack.OsteotrackError):
            self.ot.report(patient, as_of="2024-06-01", strict=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            self.ot.report(patient, as_of="2024-06-01")
        self.assertEqual([x.category for x in w], [osteotrack.OsteotrackWarning])
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.report({"no_id": 1})
        self.assertEqual(e.exception.name, "OT_EPARSE")

    def test_report_detail_summary(self):
        with open(example("patients.json"), encoding="utf-8") as f:
            patients = json.load(f)
        with open(case_file("batch-summary", "stdout"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
        got = list(self.ot.reports(patients, as_of="2024-06-01", detail="summary"))
        self.assertEqual(got, expected)
        self.assertEqual(got[0]["detail"], "summary")
        one = self.ot.report(patients[0], as_of="2024-06-01", detail="full")
        self.assertNotIn("detail", one)
        self.assertIn("assessed_course", one)
        self.assertNotIn("assessed_course", got[0])
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.report(patients[0], as_of="2024-06-01", detail="brief")
        self.assertIn("detail", str(e.exception))

    def test_sources(self):
        with open(case_file("sources-config", "stdout"), encoding="utf-8") as f:
            expected = json.load(f)
        path = case_file("sources-config", "facility.json")
        with osteotrack.load(config=path) as ot:
            got = ot.sources()
        # the configuration is named as given: the command was given "facility.json"
        self.assertEqual(json.loads(json.dumps(got["sources"]).replace(path, "facility.json")),
                         expected["sources"])
        self.assertEqual(got["osteotrack_version"], expected["osteotrack_version"])
        rd, xrd = got["reference_data"], expected["reference_data"]
        self.assertEqual((rd["version"], rd["digest"]), (xrd["version"], xrd["digest"]))
        self.assertEqual(rd["config"][0]["digest"], xrd["config"][0]["digest"])
        self.assertTrue(rd["config"][0]["name"].endswith("facility.json"))
        self.assertNotIn("facility-lsc-lumbar_spine", self.ot.sources()["sources"])

    def test_precision_is_the_commands(self):
        with open(case_file("precision-json", "stdout"), encoding="utf-8") as f:
            expected = json.load(f)
        path = case_file("precision-json", "precision-30x2.csv")
        notes = []
        got = self.ot.precision(path, facility="Example DXA unit", notes=notes)
        self.assertEqual(got["study"]["input"], path)
        got["study"]["input"] = expected["study"]["input"]
        for site in got["lsc"].values():
            site["source"] = site["source"].replace(path, "precision-30x2.csv")
        self.assertEqual(got, expected)
        self.assertEqual([n["message"] for n in notes if n["kind"] == "study"],
                         expected["study"]["notes"])
        # the same scans given as dicts: the same study
        with open(path, newline="", encoding="utf-8") as f:
            scans = list(csv.DictReader(f))
        again = self.ot.precision(scans, facility="Example DXA unit", name="precision-30x2.csv")
        self.assertEqual(again, expected)
        # other confidence levels, and the result is a configuration load() takes
        c = self.ot.precision(scans, confidence=(90, "99%"))
        self.assertEqual(len(c["study"]["sites"][0]["lsc_other_levels"]), 2)
        with osteotrack.load(config=c) as ot:
            r = ot.compare("spine", 0.800, 0.840)
        self.assertFalse(r["lsc_default"])
        self.assertAlmostEqual(r["lsc_g_cm2"], c["lsc"]["lumbar_spine"]["g_cm2"], places=4)

    def test_precision_rejections_are_never_silent(self):
        scans = [{"patient_id": "P1", "site": "spine", "value": 0.9},
                 {"patient_id": "P1", "site": "spine", "value": 0.91},
                 {"patient_id": "P2", "site": "spine", "value": -1}]
        notes = []
        self.ot.precision(scans, notes=notes)
        rejected = [n for n in notes if n["kind"] == "rejected"]
        self.assertEqual(len(rejected), 1)
        self.assertEqual(rejected[0]["line"], 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            self.ot.precision(scans)
        self.assertEqual([x.category for x in w], [osteotrack.OsteotrackWarning])
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.precision(case_file("precision-missing-file", "nonexistent.csv"))
        self.assertEqual(e.exception.name, "OT_EIO")
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.precision([{"patient_id": "P1", "site": "knee", "value": 0.9}])
        self.assertEqual(e.exception.name, "OT_EVOCAB")

    def test_read_patients_is_the_commands(self):
        with open(example("patients.expected.ndjson"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
        for name in ("patients.json", "patients.ndjson", "patients-long.csv",
                     "patients-wide.csv"):
            if not os.path.exists(example(name)):
                continue
            got = self.ot.read_patients(example(name), as_of="2024-06-01")
            self.assertEqual(got.reports, expected, name)
            self.assertEqual((got.rejected, got.rows_rejected), ([], 0), name)
            self.assertGreater(got.rows, 0)
        with open(example("patients.json"), "rb") as f:
            data = f.read()
        got = self.ot.read_patients(data, as_of="2024-06-01", detail="summary")
        with open(case_file("batch-summary", "stdout"), encoding="utf-8") as f:
            self.assertEqual(got.reports, [json.loads(line) for line in f])

    def test_read_patients_raw_and_named_bytes(self):
        # raw=True: the reports as the library writes them, byte for byte the
        # command's lines; (bytes, name) pairs: inputs that are one reading,
        # each named in its rejections (osteotrack.dask's partitions)
        with open(example("patients.expected.ndjson"), encoding="utf-8") as f:
            expected = f.read().splitlines()
        with open(example("patients-long.csv"), "rb") as f:
            head, _, body = f.read().partition(b"\n")
        rows = body.splitlines()
        half = len(rows) // 2  # a patient's rows in both inputs
        bad = b"P9,F,1950-01-01,,2020-01-01,bmd,lumbar_spine,zz,g/cm2,,,,,,,"
        inputs = [(b"\n".join([head] + rows[:half]) + b"\n", "a.csv"),
                  (b"\n".join([head, bad] + rows[half:]) + b"\n", "b.csv")]
        got = self.ot.read_patients(inputs, as_of="2024-06-01", format="long-csv", raw=True)
        self.assertEqual(got.reports, expected)
        self.assertEqual([(r["file"], r["line"]) for r in got.rejected], [("b.csv", 2)])
        self.assertEqual((got.rows, got.rows_rejected), (len(rows) + 1, 1))

    def test_read_patients_rejections(self):
        # NDJSON: each part of a document with its place, as the command writes it
        with open(case_file("batch-ndjson-rejects", "stderr"), encoding="utf-8") as f:
            expected = f.read().splitlines()
        with open(case_file("batch-ndjson-rejects", "mixed.ndjson"), "rb") as f:
            got = self.ot.read_patients(f.read(), as_of="2024-06-01", name="mixed.ndjson",
                                        format="ndjson")
        self.assertEqual(got.messages(), expected[:-1])
        self.assertIn("11 rows read, %d patients reported, 8 rows rejected" % len(got.reports),
                      expected[-1])
        self.assertEqual((got.rows, got.rows_rejected), (11, 8))
        first = got.rejected[0]
        self.assertEqual((first["file"], first["line"], first["patient"], first["where"]),
                         ("mixed.ndjson", 1, "A1", "observations[2]"))
        self.assertIn("outside the plausible range", first["reason"])
        # CSV: the row's place, its reason, and the note of a column not used
        path = case_file("batch-csv-rejects", "rows.csv")
        with open(case_file("batch-csv-rejects", "stderr"), encoding="utf-8") as f:
            expected = [line.replace("rows.csv:", path + ":", 1) for line in f.read().splitlines()]
        got = self.ot.read_patients(path, as_of="2024-06-01", grouping="stream")
        self.assertEqual(got.notes + got.messages(), expected[:-1])
        self.assertEqual((got.rows, got.rows_rejected, len(got.reports)), (15, 12, 2))
        self.assertEqual((got.rejected[0]["file"], got.rejected[0]["line"]), (path, 4))
        self.assertTrue(got.rejected[0]["reason"].startswith("site: unknown value 'knee'"))
        # an input that cannot be read, a format that cannot be told
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.read_patients(case_file("batch-missing-file", "nonexistent.csv"))
        self.assertEqual(e.exception.name, "OT_EIO")
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            self.ot.read_patients(case_file("batch-csv-rejects", "cmd"))
        self.assertIn("format", str(e.exception))
        with self.assertRaises(osteotrack.OsteotrackError):
            self.ot.read_patients(b"", grouping="sideways")

    def test_read_fhir(self):
        # the bulk export (a folder) reports as patients.json does
        with open(example("patients.expected.ndjson"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
        got = self.ot.read_patients(example("fhir-bulk"), as_of="2024-06-01")
        self.assertEqual(got.reports, expected)
        lines = 0
        for n in os.listdir(example("fhir-bulk")):
            with open(os.path.join(example("fhir-bulk"), n), encoding="utf-8") as f:
                lines += sum(1 for _ in f)
        self.assertEqual((got.rows, got.rows_rejected, got.not_relevant), (lines, 0, 0))
        # a bad resource is named with its place; one not relevant is counted
        bad = (b'{"resourceType":"Patient","id":"Q1","gender":"male"}\n'
               b'{"resourceType":"Observation","status":"final","code":{"coding":[{"system":'
               b'"http://loinc.org","code":"24966-4"}]},"subject":{"reference":"Patient/Q9"},'
               b'"effectiveDateTime":"2020-01-01","valueQuantity":{"value":0.9}}\n'
               b'{"resourceType":"Encounter","id":"e"}\n')
        got = self.ot.read_patients(bad, as_of="2024-06-01", name="x.ndjson")  # told by content
        self.assertEqual((got.rows, got.rows_rejected, got.not_relevant, len(got.reports)),
                         (3, 1, 1, 1))
        self.assertEqual((got.rejected[0]["file"], got.rejected[0]["line"]), ("x.ndjson", 2))
        self.assertIn("not in the input", got.rejected[0]["reason"])
        got = self.ot.read_patients(example("patient-P001.fhir-bundle.json"), as_of="2024-06-01")
        self.assertEqual((got.reports, got.rows_rejected), ([expected[0]], 0))
        # one Bundle, one patient: the report of P001 as JSON
        with open(example("patient-P001.fhir-bundle.json"), "rb") as f:
            one = osteotrack.patient_from_fhir(self.ot, f.read(), as_of="2024-06-01")
        self.assertEqual(one["report"], expected[0])
        self.assertEqual((one["rejected"], one["not_relevant"]), ([], 0))
        self.assertGreater(one["resources"], 10)
        with self.assertRaises(osteotrack.OsteotrackError):
            osteotrack.patient_from_fhir(self.ot, {"resourceType": "Bundle", "entry": []})

    def test_default_as_of_is_today(self):
        r = self.ot.report({"patient_id": "T"})
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.assertIn(r["as_of"], {today.isoformat(),
                                   (today - datetime.timedelta(days=1)).isoformat()})
        self.assertEqual(r["assessment"], "insufficient_data")

    def test_facility_configuration(self):
        config = {"kind": "osteotrack-facility", "facility": "Unit test",
                  "lsc": {"lumbar_spine": {"g_cm2": 0.028}}}
        with osteotrack.load(config=config) as ot:
            r = ot.compare("spine", 0.800, 0.840)
        self.assertFalse(r["lsc_default"])
        self.assertEqual(r["significance"], "increase")
        self.assertEqual(r["lsc_source"], "facility-lsc-lumbar_spine")
        self.assertIn("Unit test", r["sources"]["facility-lsc-lumbar_spine"]["citation"])
        self.assertEqual(r["reference_data"]["config"][0]["name"], "<config dict>")
        path = os.path.join(SRC, "tests", "cli", "cases", "markers-config", "lab.json")
        with osteotrack.load(config=path) as ot:
            self.assertEqual(ot.markers("ctx", 540, 320, therapy="alendronate")["target"], 300)
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            osteotrack.load(config={"kind": "osteotrack-facility", "lsc": {"knee": {"pct": 2}}})
        self.assertEqual(e.exception.name, "OT_EDATA")
        with self.assertRaises(osteotrack.OsteotrackError) as e:
            osteotrack.load(data_dir="/nonexistent/osteotrack")
        self.assertIn(e.exception.name, {"OT_EIO", "OT_EDATA"})

    def test_threads_share_the_data(self):
        results, errors = [], []

        def work():
            try:
                for _ in range(50):
                    results.append(self.ot.compare("hip", 0.70, 0.76)["significance"])
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(set(results), {"increase"})
        self.assertEqual(len(results), 200)

    def test_report_fhir_is_the_cli_bundle(self):
        with open(example("patients.json"), encoding="utf-8") as f:
            patients = json.load(f)
        with open(case_file("batch-fhir-examples", "stdout"), encoding="utf-8") as f:
            expected = [json.loads(line) for line in f]
        got = [self.ot.report_fhir(x, as_of="2024-06-01") for x in patients]
        self.assertEqual(got, expected)
        b = got[0]
        self.assertEqual((b["resourceType"], b["type"]), ("Bundle", "collection"))
        dr = [e["resource"] for e in b["entry"]
              if e["resource"]["resourceType"] == "DiagnosticReport"]
        self.assertEqual(len(dr), 1)
        report = self.ot.report(patients[0], as_of="2024-06-01")
        self.assertEqual(dr[0]["conclusion"], report["summary"])
        self.assertEqual(dr[0]["conclusionCode"][0]["coding"][0]["code"], report["assessment"])
        rejected = []
        self.ot.report_fhir({"patient_id": "F1", "observations": [
            {"date": "2020-01-01", "analyte": "bmd", "site": "knee", "value": 0.8}]},
            as_of="2024-06-01", rejected=rejected)
        self.assertEqual(len(rejected), 1)
        self.assertIn("knee", rejected[0])

    def test_closed_object(self):
        ot = osteotrack.load()
        ot.close()
        ot.close()  # twice is fine
        with self.assertRaises(osteotrack.OsteotrackError):
            ot.compare("spine", 0.8, 0.84)


if __name__ == "__main__":
    unittest.main()
