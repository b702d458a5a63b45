"""Tests of the ctypes wrapper (unittest; no third-party package).

Run by CTest with the built library and the source tree's data:
    OSTEOTRACK_LIBRARY=build/src/lib/libosteotrack.so OSTEOTRACK_DATA_DIR=data \
    OSTEOTRACK_SOURCE_DIR=. python3 -m unittest -v bindings/python/test_osteotrack.py
The golden outputs of the command (tests/cli/cases, data/examples) are the
expected results, so the wrapper must give what the command gives.
"""

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

    def test_closed_object(self):
        ot = osteotrack.load()
        ot.close()
        ot.close()  # twice is fine
        with self.assertRaises(osteotrack.OsteotrackError):
            ot.compare("spine", 0.8, 0.84)


if __name__ == "__main__":
    unittest.main()
