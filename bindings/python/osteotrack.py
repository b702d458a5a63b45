"""osteotrack from Python: a ctypes wrapper over the shared library libosteotrack.

No build step: it loads libosteotrack.so at import time and returns every
result as a Python dict, the same JSON the `osteotrack` command prints.

    import osteotrack
    ot = osteotrack.load()                     # reference data; config=... for a facility
    ot.compare("lumbar_spine", 0.800, 0.840, from_date="2022-03-01",
               to_date="2024-03-01", therapy="alendronate")["significance"]   # 'stable'
    ot.markers("ctx", 540, 190, therapy="alendronate")["response"]            # 'responding'
    ot.report(patient_dict, as_of="2024-06-01")["assessment"]

The library is found, in this order: the path in $OSTEOTRACK_LIBRARY, then
ctypes.util.find_library("osteotrack") (the system's library directories),
then "libosteotrack.so.<ABI>" through the dynamic loader
(LD_LIBRARY_PATH). The library must be the version this wrapper was written
for (ABI, "0.2": for 0.x the SONAME carries the minor version); another is
refused with a message rather than called with the wrong layout. The reference data: data_dir=..., else
$OSTEOTRACK_DATA_DIR, else the data installed with the library.

An Osteotrack object holds a loaded, read-only copy of the reference data; it
may be shared by threads (ctypes releases the GIL during each call). Errors
raise OsteotrackError with the library's message and status.
"""

import ctypes
import ctypes.util
import datetime as _dt
import json
import os
import warnings

__all__ = ["Osteotrack", "OsteotrackError", "OsteotrackWarning", "load", "library_version"]

ABI = "0.2"  # libosteotrack.so.0.2: the ABI this wrapper is written for

# Status codes of osteotrack.h (never renumbered).
STATUS = {0: "OT_OK", -1: "OT_EINVAL", -2: "OT_ENOMEM", -3: "OT_EIO", -4: "OT_EPARSE",
          -5: "OT_EVOCAB", -6: "OT_EUNIT", -7: "OT_ERANGE", -8: "OT_EDATE", -9: "OT_EDATA",
          -10: "OT_ENUMERIC", -11: "OT_EDUPLICATE", -12: "OT_ELIMIT", -13: "OT_ECONFLICT"}

_DATE_NONE = -2147483647 - 1  # OT_DATE_NONE
_UNIT_CANONICAL = 6           # OT_UNIT_CANONICAL (= OT_UNIT_COUNT)
_LSC_FROM_DATA, _LSC_G_CM2, _LSC_PERCENT = 0, 1, 2
# The options layouts below are these versions; ot_*_options_init() fills the
# defaults. Results are the library's objects, only handed to *_to_json().
_BMD_OPTIONS_VERSION = 1
_MARKER_OPTIONS_VERSION = 1


class OsteotrackError(Exception):
    """A call failed. .status is the OT_E* code, .name its name."""

    def __init__(self, message, status=-1):
        super().__init__(message)
        self.status = status
        self.name = STATUS.get(status, str(status))


class OsteotrackWarning(UserWarning):
    """A part of a patient document was rejected and left out of the report."""


# --- the C structs the wrapper fills (osteotrack.h) -----------------------
class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 512)]


class _BmdMeasure(ctypes.Structure):
    _fields_ = [("site", ctypes.c_int), ("value", ctypes.c_double), ("unit", ctypes.c_int),
                ("date", ctypes.c_long), ("device", ctypes.c_char_p),
                ("manufacturer", ctypes.c_int)]


class _BmdOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("lsc_kind", ctypes.c_int),
                ("lsc_value", ctypes.c_double), ("therapy", ctypes.c_int),
                ("months_on_therapy", ctypes.c_double)]


class _MarkerMeasure(ctypes.Structure):
    _fields_ = [("analyte", ctypes.c_int), ("value", ctypes.c_double), ("unit", ctypes.c_int),
                ("date", ctypes.c_long)]


class _MarkerOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("therapy", ctypes.c_int),
                ("therapy_start", ctypes.c_long)]


_REJECT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)

_P = ctypes.c_void_p
_PP = ctypes.POINTER(ctypes.c_void_p)
_INT_P = ctypes.POINTER(ctypes.c_int)
_ERR_P = ctypes.POINTER(_Error)

_PROTOTYPES = {
    "ot_version": (ctypes.c_char_p, []),
    "ot_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "ot_free": (None, [_P]),
    "ot_refdata_load": (ctypes.c_int, [_PP, ctypes.c_char_p, _ERR_P]),
    "ot_refdata_apply_config": (ctypes.c_int, [_P, ctypes.c_char_p, _ERR_P]),
    "ot_refdata_apply_config_text": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_char_p, _ERR_P]),
    "ot_refdata_free": (None, [_P]),
    "ot_refdata_dir": (ctypes.c_char_p, [_P]),
    "ot_site_parse": (ctypes.c_int, [_INT_P, ctypes.c_char_p]),
    "ot_analyte_parse": (ctypes.c_int, [_INT_P, ctypes.c_char_p]),
    "ot_agent_parse": (ctypes.c_int, [_INT_P, ctypes.c_char_p]),
    "ot_unit_parse": (ctypes.c_int, [_INT_P, ctypes.c_char_p]),
    "ot_manufacturer_parse": (ctypes.c_int, [_INT_P, ctypes.c_char_p]),
    "ot_date_parse": (ctypes.c_int, [ctypes.POINTER(ctypes.c_long), ctypes.c_char_p]),
    "ot_bmd_options_init": (ctypes.c_int, [ctypes.POINTER(_BmdOptions), ctypes.c_uint]),
    "ot_bmd_compare_new": (ctypes.c_int, [_PP, _P, ctypes.POINTER(_BmdMeasure),
                                          ctypes.POINTER(_BmdMeasure),
                                          ctypes.POINTER(_BmdOptions), _ERR_P]),
    "ot_bmd_result_to_json": (ctypes.c_int, [_PP, _P, ctypes.c_int]),
    "ot_bmd_result_free": (None, [_P]),
    "ot_marker_options_init": (ctypes.c_int, [ctypes.POINTER(_MarkerOptions), ctypes.c_uint]),
    "ot_marker_assess_new": (ctypes.c_int, [_PP, _P, ctypes.POINTER(_MarkerMeasure),
                                            ctypes.POINTER(_MarkerMeasure),
                                            ctypes.POINTER(_MarkerOptions), _ERR_P]),
    "ot_marker_result_to_json": (ctypes.c_int, [_PP, _P, ctypes.c_int]),
    "ot_marker_result_free": (None, [_P]),
    "ot_patient_new": (ctypes.c_int, [_PP, ctypes.c_char_p]),
    "ot_patient_free": (None, [_P]),
    "ot_patient_from_json": (ctypes.c_int, [_P, _P, ctypes.c_char_p, ctypes.c_size_t,
                                            _REJECT_FN, _P, ctypes.POINTER(ctypes.c_size_t),
                                            _ERR_P]),
    "ot_report_build": (ctypes.c_int, [_PP, _P, _P, ctypes.c_long, _ERR_P]),
    "ot_report_to_json": (ctypes.c_int, [_PP, _P, ctypes.c_int]),
    "ot_report_free": (None, [_P]),
}


def _find_library():
    path = os.environ.get("OSTEOTRACK_LIBRARY")
    if path:
        return path
    return ctypes.util.find_library("osteotrack") or "libosteotrack.so.%s" % ABI


def _open_library(path=None):
    path = path or _find_library()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise OsteotrackError(
            "cannot load libosteotrack (%s): %s; set OSTEOTRACK_LIBRARY to the path of "
            "libosteotrack.so" % (path, e), -3) from None
    lib.ot_version.restype = ctypes.c_char_p
    lib.ot_version.argtypes = []
    version = lib.ot_version().decode()
    if not (version + ".").startswith(ABI + "."):
        raise OsteotrackError(
            "libosteotrack %s at %s is not the ABI %s this wrapper is written for" %
            (version, path, ABI), -1)
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    # GSL's default error handler aborts the process; the library never
    # reaches it, but osteotrack.h asks embedders to turn it off all the same.
    try:
        lib.gsl_set_error_handler_off.restype = ctypes.c_void_p
        lib.gsl_set_error_handler_off()
    except AttributeError:
        pass
    return lib


_lib_cache = {}


def _library(path=None):
    key = path or _find_library()
    if key not in _lib_cache:
        _lib_cache[key] = _open_library(key)
    return _lib_cache[key]


def library_version(library=None):
    """The version of the loaded libosteotrack, "MAJOR.MINOR.PATCH"."""
    return _library(library).ot_version().decode()


def _b(s):
    return None if s is None else str(s).encode("utf-8")


def _date_text(d):
    if isinstance(d, (_dt.date, _dt.datetime)):
        return d.strftime("%Y-%m-%d")
    return str(d)


class Osteotrack:
    """Loaded reference data (and a facility configuration) to compute with.

    data_dir: the reference data directory (default: $OSTEOTRACK_DATA_DIR,
        else the installed data).
    config: a facility configuration: a path, or a dict (as
        `osteotrack precision --format json` writes).
    library: the path of libosteotrack.so (default: see the module's doc).
    """

    def __init__(self, data_dir=None, config=None, library=None):
        self._lib = _library(library)
        self._rd = None
        rd = ctypes.c_void_p()
        err = _Error()
        self._check(self._lib.ot_refdata_load(ctypes.byref(rd), _b(data_dir), ctypes.byref(err)),
                    err)
        self._rd = rd
        if config is not None:
            if isinstance(config, dict):
                st = self._lib.ot_refdata_apply_config_text(
                    self._rd, json.dumps(config).encode("utf-8"), b"<config dict>",
                    ctypes.byref(err))
            else:
                st = self._lib.ot_refdata_apply_config(self._rd, _b(os.fspath(config)),
                                                       ctypes.byref(err))
            self._check(st, err)

    # --- lifetime ---------------------------------------------------------
    def close(self):
        if self._rd:
            self._lib.ot_refdata_free(self._rd)
            self._rd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    # --- helpers ----------------------------------------------------------
    def _check(self, status, err=None, what=None):
        if status == 0:
            return
        message = err.message.decode("utf-8", "replace") if err is not None else ""
        if not message:
            message = self._lib.ot_strerror(status).decode()
        raise OsteotrackError(("%s: %s" % (what, message)) if what else message, status)

    def _live(self):
        if not self._rd:
            raise OsteotrackError("this Osteotrack object was closed", -1)
        return self._rd

    def _parse(self, fn, value, what):
        out = ctypes.c_int()
        st = fn(ctypes.byref(out), _b(value))
        if st != 0:
            raise OsteotrackError("%s: unknown %s '%s'" % (what, what, value), st)
        return out.value

    def _date(self, value, what):
        if value is None:
            return _DATE_NONE
        out = ctypes.c_long()
        text = _date_text(value)
        st = self._lib.ot_date_parse(ctypes.byref(out), text.encode())
        if st != 0:
            raise OsteotrackError("%s: '%s' is not a valid date (expected YYYY-MM-DD)"
                                  % (what, text), st)
        return out.value

    def _json(self, to_json, obj):
        out = ctypes.c_void_p()
        self._check(to_json(ctypes.byref(out), obj, 0))
        try:
            return json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            self._lib.ot_free(out)

    # --- the calls ----------------------------------------------------------
    @property
    def data_dir(self):
        """The directory the reference data was loaded from."""
        return self._lib.ot_refdata_dir(self._live()).decode()

    @property
    def version(self):
        return self._lib.ot_version().decode()

    def compare(self, site, baseline, followup, *, from_date=None, to_date=None, unit="g/cm2",
                lsc=None, therapy=None, months_on_therapy=None, from_device=None,
                to_device=None, from_manufacturer=None, to_manufacturer=None):
        """Compares two BMD scans of one site (osteotrack compare): a dict.

        lsc: the facility's LSC in g/cm2 (a number) or in percent of the
        baseline ("3.1%"); default: the configuration, else the shipped
        ISCD-derived default (the result says so).
        """
        lib = self._lib
        m = [_BmdMeasure(), _BmdMeasure()]
        site_v = self._parse(lib.ot_site_parse, site, "site")
        unit_v = self._parse(lib.ot_unit_parse, unit, "unit")
        for meas, value, date, device, mfr, what in (
                (m[0], baseline, from_date, from_device, from_manufacturer, "from"),
                (m[1], followup, to_date, to_device, to_manufacturer, "to")):
            meas.site = site_v
            meas.value = float(value)
            meas.unit = unit_v
            meas.date = self._date(date, what + "_date")
            meas.device = _b(device)
            meas.manufacturer = (0 if mfr is None else
                                 self._parse(lib.ot_manufacturer_parse, mfr, "manufacturer"))
        o = _BmdOptions()
        self._check(lib.ot_bmd_options_init(ctypes.byref(o), _BMD_OPTIONS_VERSION))
        if lsc is not None:
            text = str(lsc).strip()
            if text.endswith("%"):
                o.lsc_kind, o.lsc_value = _LSC_PERCENT, float(text[:-1])
            else:
                o.lsc_kind, o.lsc_value = _LSC_G_CM2, float(text)
        if therapy is not None:
            o.therapy = self._parse(lib.ot_agent_parse, therapy, "agent")
        if months_on_therapy is not None:
            o.months_on_therapy = float(months_on_therapy)
        result = ctypes.c_void_p()
        err = _Error()
        self._check(lib.ot_bmd_compare_new(ctypes.byref(result), self._live(), ctypes.byref(m[0]),
                                           ctypes.byref(m[1]), ctypes.byref(o),
                                           ctypes.byref(err)), err)
        try:
            return self._json(lib.ot_bmd_result_to_json, result)
        finally:
            lib.ot_bmd_result_free(result)

    def markers(self, analyte, baseline, followup, *, unit=None, therapy=None,
                therapy_start=None, from_date=None, to_date=None):
        """Judges a P1NP or CTX response to therapy (osteotrack markers): a dict."""
        lib = self._lib
        analyte_v = self._parse(lib.ot_analyte_parse, analyte, "analyte")
        unit_v = _UNIT_CANONICAL if unit is None else self._parse(lib.ot_unit_parse, unit, "unit")
        a = _MarkerMeasure(analyte_v, float(baseline), unit_v, self._date(from_date, "from_date"))
        b = _MarkerMeasure(analyte_v, float(followup), unit_v, self._date(to_date, "to_date"))
        o = _MarkerOptions()
        self._check(lib.ot_marker_options_init(ctypes.byref(o), _MARKER_OPTIONS_VERSION))
        o.therapy_start = self._date(therapy_start, "therapy_start")
        if therapy is not None:
            o.therapy = self._parse(lib.ot_agent_parse, therapy, "agent")
        result = ctypes.c_void_p()
        err = _Error()
        self._check(lib.ot_marker_assess_new(ctypes.byref(result), self._live(), ctypes.byref(a),
                                             ctypes.byref(b), ctypes.byref(o), ctypes.byref(err)),
                    err)
        try:
            return self._json(lib.ot_marker_result_to_json, result)
        finally:
            lib.ot_marker_result_free(result)

    def report(self, patient, as_of=None, *, rejected=None, strict=False):
        """One patient's report (osteotrack batch) as a dict.

        patient: a patient document (a dict, or its JSON text) as in
            osteotrack(1): patient_id, therapies, observations, fractures.
        as_of: the date the report is made for (default: today, UTC).
        A part of the document that cannot be used (an unknown site, an
        implausible value) is left out, as the command does, and is never
        dropped silently: with strict=True it raises OsteotrackError; given
        a list as `rejected`, "place: reason" strings are appended to it;
        otherwise each is an OsteotrackWarning.
        """
        reports = self.reports([patient], as_of, rejected=rejected, strict=strict)
        try:
            return next(reports)
        finally:
            reports.close()  # frees the patient now, not at garbage collection

    def reports(self, patients, as_of=None, *, rejected=None, strict=False):
        """Reports of many patients, one dict at a time (a generator)."""
        lib = self._lib
        if as_of is None:
            as_of = _dt.datetime.now(_dt.timezone.utc).date()
        as_of_v = self._date(as_of, "as_of")
        p = ctypes.c_void_p()
        self._check(lib.ot_patient_new(ctypes.byref(p), b"-"))
        try:
            for patient in patients:
                text = patient if isinstance(patient, (str, bytes)) else json.dumps(patient)
                data = text.encode("utf-8") if isinstance(text, str) else text
                problems = []

                def on_reject(_ctx, where, reason, problems=problems):
                    problems.append("%s: %s" % (where.decode("utf-8", "replace"),
                                                reason.decode("utf-8", "replace")))

                callback = _REJECT_FN(on_reject)
                err = _Error()
                nitems = ctypes.c_size_t()
                self._check(lib.ot_patient_from_json(p, self._live(), data, len(data), callback,
                                                     None, ctypes.byref(nitems),
                                                     ctypes.byref(err)), err, "patient")
                pid = _patient_id(patient)
                if problems:
                    if strict:
                        raise OsteotrackError("patient %s: %s" % (pid, "; ".join(problems)), -5)
                    if rejected is not None:
                        rejected.extend("patient %s: %s" % (pid, x) for x in problems)
                    else:
                        for x in problems:
                            warnings.warn("patient %s: %s" % (pid, x), OsteotrackWarning,
                                          stacklevel=3)
                rep = ctypes.c_void_p()
                self._check(lib.ot_report_build(ctypes.byref(rep), self._live(), p, as_of_v,
                                                ctypes.byref(err)), err, "report")
                try:
                    yield self._json(lib.ot_report_to_json, rep)
                finally:
                    lib.ot_report_free(rep)
        finally:
            lib.ot_patient_free(p)


def _patient_id(patient):
    if isinstance(patient, dict):
        return patient.get("patient_id", "?")
    try:
        return json.loads(patient).get("patient_id", "?")
    except (ValueError, AttributeError):
        return "?"


def load(data_dir=None, config=None, library=None):
    """Loads the reference data (and a facility configuration): an Osteotrack."""
    return Osteotrack(data_dir=data_dir, config=config, library=library)
