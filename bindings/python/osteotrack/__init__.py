"""osteotrack from Python: a ctypes wrapper over the shared library libosteotrack.

No build step: it loads libosteotrack.so at import time and returns every
result as a Python dict, the same JSON the `osteotrack` command prints.

    import osteotrack
    ot = osteotrack.load()                     # reference data; config=... for a facility
    ot.compare("lumbar_spine", 0.800, 0.840, from_date="2022-03-01",
               to_date="2024-03-01", therapy="alendronate")["significance"]   # 'stable'
    ot.markers("ctx", 540, 190, therapy="alendronate")["response"]            # 'responding'
    ot.report(patient_dict, as_of="2024-06-01")["assessment"]

The library is found, in this order: the path in $OSTEOTRACK_LIBRARY; the
library directory of the prefix this module was installed with (`cmake
--install` writes it into the installed copy); `pkg-config --variable=libdir
osteotrack`; ctypes.util.find_library("osteotrack") (the system's library
directories); then "libosteotrack.so.<ABI>" through the dynamic loader
(LD_LIBRARY_PATH). The library must be the version this module was built for
(its major.minor, ABI: for 0.x the SONAME carries the minor version); another
is refused with an OsteotrackError rather than called with the wrong layouts.
The reference data: data_dir=..., else $OSTEOTRACK_DATA_DIR, else the data
installed with the library.

An Osteotrack object holds a loaded, read-only copy of the reference data; it
may be shared by threads (ctypes releases the GIL during each call). Errors
raise OsteotrackError with the library's message and status.
"""

import ctypes
import ctypes.util
import datetime as _dt
import json
import os
import subprocess
import warnings

__all__ = ["Osteotrack", "OsteotrackError", "OsteotrackWarning", "PatientReading", "load",
           "library_version", "library_path"]

# The version of libosteotrack this module is written for (include/osteotrack.h;
# `cmake --install` writes the project's version here, a test checks they agree).
__version__ = "0.2.0"
# libosteotrack.so.0.2: the ABI (major.minor) a library must have to be loaded.
ABI = ".".join(__version__.split(".")[:2])
# The library directory of the install prefix: None in the source tree and in
# a copy installed by pip; `cmake --install` writes the prefix's here.
_INSTALL_LIBDIR = None

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

# The patient reader (ot_patient_reader_options, version 2).
_READER_OPTIONS_VERSION = 3
_PATIENT_FN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)
_READY_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ROW_REJECT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long,
                                  ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p)
_NOTE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)


class _ReaderOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("grouping", ctypes.c_int),
                ("patient", _PATIENT_FN), ("ready", _READY_FN), ("reject", _ROW_REJECT_FN),
                ("note", _NOTE_FN), ("ctx", ctypes.c_void_p), ("threads", ctypes.c_uint),
                # version 3: unknown JSON keys rejected (strict), and the CSV
                # dialect (0: detected; utf-8; no column map)
                ("strict", ctypes.c_int), ("delimiter", ctypes.c_char), ("encoding", ctypes.c_int),
                ("columns", ctypes.c_void_p)]


_INPUT_FORMATS = {"auto": 0, "csv": 0, "long-csv": 1, "wide-csv": 2, "json": 3, "ndjson": 4,
                  "jsonl": 4, "fhir": 5}
_GROUPINGS = {"auto": 0, "stream": 1, "memory": 2}
_DETAILS = {"full": 0, "summary": 1}  # ot_detail

# Precision studies: every struct here is public (not OT_STATIC_LINKING_ONLY).
_PRECISION_OPTIONS_VERSION = 1
_PRECISION_MAX_LEVELS = 8
_SITE_COUNT = 4
_PRECISION_INPUTS = {"auto": 0, "csv": 1, "json": 2}
_PRECISION_NOTE_KINDS = {0: "rejected", 1: "single_scan", 2: "input", 3: "study"}


class _PrecisionScan(ctypes.Structure):
    _fields_ = [("patient_id", ctypes.c_char_p), ("site", ctypes.c_int),
                ("value", ctypes.c_double), ("unit", ctypes.c_int),
                ("device", ctypes.c_char_p), ("technologist", ctypes.c_char_p),
                ("date", ctypes.c_long), ("line", ctypes.c_long)]


class _PrecisionOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("input", ctypes.c_int),
                ("confidence", ctypes.POINTER(ctypes.c_double)), ("nconfidence", ctypes.c_size_t)]


class _PrecisionNote(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("line", ctypes.c_long), ("message", ctypes.c_char * 400)]


class _PrecisionResult(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("rows_read", ctypes.c_size_t),
                ("rows_used", ctypes.c_size_t), ("rows_rejected", ctypes.c_size_t),
                ("rows_single", ctypes.c_size_t), ("multiplier_95", ctypes.c_double),
                ("multiplier_confirmed", ctypes.c_int),
                ("multiplier_source", ctypes.c_char * 320),
                ("nconfidence", ctypes.c_size_t),
                ("confidence", ctypes.c_double * _PRECISION_MAX_LEVELS),
                ("multiplier", ctypes.c_double * _PRECISION_MAX_LEVELS),
                ("unit", ctypes.c_int * _SITE_COUNT),
                ("first_date", ctypes.c_long), ("last_date", ctypes.c_long),
                ("ngroups", ctypes.c_size_t), ("groups", ctypes.c_void_p),
                ("nnotes", ctypes.c_size_t), ("notes", ctypes.POINTER(_PrecisionNote))]

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
    "ot_report_to_json_detail": (ctypes.c_int, [_PP, _P, ctypes.c_int, ctypes.c_int]),
    "ot_refdata_sources_to_json": (ctypes.c_int, [_PP, _P, ctypes.c_int]),
    "ot_patient_reader_options_init": (ctypes.c_int, [ctypes.POINTER(_ReaderOptions),
                                                      ctypes.c_uint]),
    "ot_patient_reader_new": (ctypes.c_int, [_PP, _P, ctypes.POINTER(_ReaderOptions), _ERR_P]),
    "ot_patient_reader_add_path": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_int, _ERR_P]),
    "ot_patient_reader_add_memory": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_size_t,
                                                    ctypes.c_char_p, ctypes.c_int, _ERR_P]),
    "ot_patient_reader_finish": (ctypes.c_int, [_P, _ERR_P]),
    "ot_patient_reader_counts": (None, [_P, ctypes.POINTER(ctypes.c_size_t),
                                        ctypes.POINTER(ctypes.c_size_t)]),
    "ot_patient_reader_free": (None, [_P]),
    "ot_input_looks_fhir": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t]),
    "ot_patient_reader_counts2": (None, [_P, ctypes.POINTER(ctypes.c_size_t),
                                         ctypes.POINTER(ctypes.c_size_t),
                                         ctypes.POINTER(ctypes.c_size_t)]),
    "ot_patient_from_fhir": (ctypes.c_int, [_P, _P, ctypes.c_char_p, ctypes.c_size_t,
                                            _REJECT_FN, _P, ctypes.POINTER(ctypes.c_size_t),
                                            ctypes.POINTER(ctypes.c_size_t), _ERR_P]),
    "ot_precision_options_init": (ctypes.c_int, [ctypes.POINTER(_PrecisionOptions),
                                                 ctypes.c_uint]),
    "ot_precision_compute": (ctypes.c_int, [ctypes.POINTER(ctypes.POINTER(_PrecisionResult)), _P,
                                            ctypes.POINTER(_PrecisionScan), ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.POINTER(_PrecisionOptions),
                                            _ERR_P]),
    "ot_precision_read_file": (ctypes.c_int, [ctypes.POINTER(ctypes.POINTER(_PrecisionResult)),
                                              _P, ctypes.c_char_p,
                                              ctypes.POINTER(_PrecisionOptions), _ERR_P]),
    "ot_precision_result_to_config": (ctypes.c_int, [_PP, ctypes.POINTER(_PrecisionResult),
                                                     ctypes.c_char_p]),
    "ot_precision_result_free": (None, [ctypes.POINTER(_PrecisionResult)]),
}


def _pkg_config_libdir():
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "osteotrack"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    libdir = out.stdout.decode("utf-8", "replace").strip()
    return libdir if out.returncode == 0 and libdir else None


def _candidates():
    """(where, path) of each place the library may be, in the order searched.
    A path with a "/" is a file that must exist; another is a name the dynamic
    loader resolves."""
    env = os.environ.get("OSTEOTRACK_LIBRARY")
    if env:
        return [("$OSTEOTRACK_LIBRARY", env)]
    found = []
    for where, libdir in (("the install prefix", _INSTALL_LIBDIR),
                          ("pkg-config", _pkg_config_libdir() if _INSTALL_LIBDIR is None
                           or not _in_libdir(_INSTALL_LIBDIR) else None)):
        if where == "pkg-config" and not libdir and not found:
            found.append((where, ""))  # asked, no answer: said so in the error
        if libdir:
            # the SONAME of this ABI first; else the development link, whose
            # version is then checked (a clear error, not a wrong layout)
            for name in ("libosteotrack.so.%s" % ABI, "libosteotrack.so"):
                found.append((where, os.path.join(libdir, name)))
    name = ctypes.util.find_library("osteotrack")
    if name:
        found.append(("ctypes.util.find_library", name))
    found.append(("the dynamic loader", "libosteotrack.so.%s" % ABI))
    return found


def _in_libdir(libdir):
    return any(os.path.exists(os.path.join(libdir, n))
               for n in ("libosteotrack.so.%s" % ABI, "libosteotrack.so"))


def _find_library():
    """The path or name of the library to load (see the module's doc)."""
    tried = []
    for where, path in _candidates():
        if not path:
            tried.append("pkg-config --variable=libdir osteotrack: no osteotrack.pc found")
            continue
        if os.sep in path:
            if os.path.exists(path) or where == "$OSTEOTRACK_LIBRARY":
                return path
            tried.append("%s (%s): no such file" % (path, where))
            continue
        try:
            ctypes.CDLL(path)
        except OSError:
            tried.append("%s (%s): not found" % (path, where))
            continue
        return path
    raise OsteotrackError(
        "cannot find libosteotrack %s; tried %s. Install osteotrack (cmake --install), or set "
        "PKG_CONFIG_PATH to the directory of its osteotrack.pc, or OSTEOTRACK_LIBRARY to the "
        "path of libosteotrack.so" % (ABI, "; ".join(tried)), -3)


def _open_library(path):
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
            "libosteotrack %s at %s is not the ABI %s this wrapper is written for (osteotrack "
            "%s for Python needs libosteotrack %s.x)" % (version, path, ABI, __version__, ABI),
            -1)
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
_lib_paths = {}


def _library(path=None):
    """The loaded library: `path`, else the one _find_library() finds (found
    once and kept, as long as ABI and $OSTEOTRACK_LIBRARY stay the same)."""
    key = path or (None, ABI, os.environ.get("OSTEOTRACK_LIBRARY"))
    if key not in _lib_cache:
        real = path or _find_library()
        _lib_cache[key] = _open_library(real)
        _lib_paths[key] = real
    return _lib_cache[key]


def library_path(library=None):
    """The path (or name) the library was loaded from."""
    _library(library)
    return _lib_paths[library or (None, ABI, os.environ.get("OSTEOTRACK_LIBRARY"))]


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

    def _json(self, to_json, obj, *extra):
        out = ctypes.c_void_p()
        self._check(to_json(ctypes.byref(out), obj, 0, *extra))
        try:
            return json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            self._lib.ot_free(out)

    def _as_of(self, as_of):
        if as_of is None:
            as_of = _dt.datetime.now(_dt.timezone.utc).date()
        return self._date(as_of, "as_of")

    # --- the calls ----------------------------------------------------------
    def sources(self):
        """Every source the figures cite, with the data's version and digest
        and the configurations applied (osteotrack sources): a dict."""
        out = ctypes.c_void_p()
        self._check(self._lib.ot_refdata_sources_to_json(ctypes.byref(out), self._live(), 0))
        try:
            return json.loads(ctypes.string_at(out.value).decode("utf-8"))
        finally:
            self._lib.ot_free(out)

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

    def report(self, patient, as_of=None, *, rejected=None, strict=False, detail="full"):
        """One patient's report (osteotrack batch) as a dict.

        patient: a patient document (a dict, or its JSON text) as in
            osteotrack(1): patient_id, therapies, observations, fractures.
        as_of: the date the report is made for (default: today, UTC).
        A part of the document that cannot be used (an unknown site, an
        implausible value) is left out, as the command does, and is never
        dropped silently: with strict=True it raises OsteotrackError; given
        a list as `rejected`, "place: reason" strings are appended to it;
        otherwise each is an OsteotrackWarning.
        detail: "full" (every comparison and course), or "summary" (the latest
            comparison of each site, the flags, the assessment, what is due:
            osteotrack batch --detail summary).
        """
        reports = self.reports([patient], as_of, rejected=rejected, strict=strict, detail=detail)
        try:
            return next(reports)
        finally:
            reports.close()  # frees the patient now, not at garbage collection

    def reports(self, patients, as_of=None, *, rejected=None, strict=False, detail="full"):
        """Reports of many patients, one dict at a time (a generator)."""
        lib = self._lib
        as_of_v = self._as_of(as_of)
        detail_v = _choice(_DETAILS, detail, "detail")
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
                    yield self._json(lib.ot_report_to_json_detail, rep, detail_v)
                finally:
                    lib.ot_report_free(rep)
        finally:
            lib.ot_patient_free(p)


    def read_patients(self, inputs, as_of=None, *, format="auto", grouping="auto",
                      detail="full", name=None, threads=0, raw=False):
        """Reads patients from files or bytes of any input format and reports
        each (osteotrack batch): a PatientReading.

        inputs: a path (str or os.PathLike), bytes, or a list of them (bytes
            may come as (bytes, name) pairs); the rows and documents of one
            patient_id, in any of them, are one patient.
        format: "auto" (for a path: .json is JSON, .ndjson or .jsonl NDJSON,
            .csv CSV; for bytes: JSON when it is one JSON document, NDJSON
            when it starts with "{", else CSV), "csv" (long or wide, told
            apart by the header), "long-csv", "wide-csv", "json", "ndjson",
            "fhir" (HL7 FHIR R4: a Bundle, NDJSON resources; a folder is a Bulk
            Data export; with "auto" a folder, and JSON or NDJSON whose first
            object has "resourceType", are read as fhir; docs/fhir.md). For
            FHIR, .rows counts resources and .not_relevant those osteotrack
            does not use (named once per type and code in .notes).
        grouping: "auto", "stream" or "memory" (osteotrack(3), the reader).
        name: the name bytes are given in messages (default "<bytes>").
        A rejected row, document or part of one is never dropped silently:
        it is in .rejected, with its place (file, line, patient, where) and
        reason. A file that cannot be read raises OsteotrackError.
        raw: each report as the JSON text the library writes (a str, byte for
            byte osteotrack batch's line), not a dict (osteotrack.dask).
        """
        lib = self._lib
        rd = self._live()
        as_of_v = self._as_of(as_of)
        detail_v = _choice(_DETAILS, detail, "detail")
        grouping_v = _choice(_GROUPINGS, grouping, "grouping")
        if isinstance(inputs, (str, bytes, bytearray, memoryview)) or hasattr(inputs, "__fspath__"):
            inputs = [inputs]
        reading = PatientReading()
        failure = []
        patient = ctypes.c_void_p()
        self._check(lib.ot_patient_new(ctypes.byref(patient), b"-"))

        def on_patient(_ctx):
            return patient.value

        def on_ready(_ctx, p):
            try:
                rep = ctypes.c_void_p()
                err = _Error()
                self._check(lib.ot_report_build(ctypes.byref(rep), rd, p, as_of_v,
                                                ctypes.byref(err)), err, "report")
                try:
                    if raw:
                        out = ctypes.c_void_p()
                        self._check(lib.ot_report_to_json_detail(ctypes.byref(out), rep, 0,
                                                                 detail_v))
                        try:
                            reading.reports.append(ctypes.string_at(out.value).decode("utf-8"))
                        finally:
                            lib.ot_free(out)
                    else:
                        reading.reports.append(self._json(lib.ot_report_to_json_detail, rep,
                                                          detail_v))
                finally:
                    lib.ot_report_free(rep)
                return 0
            except BaseException as e:  # raised again below; the reading stops
                failure.append(e)
                return 1

        names = []  # of the inputs, to find the place in a message that holds it

        def on_reject(_ctx, file, line, pid, where, reason):
            r = {"file": _text(file), "line": line if file is not None else None,
                 "patient": _text(pid), "where": _text(where), "reason": _text(reason)}
            if file is None:
                # "NAME:LINE: reason": a CSV row's message names its place
                r["message"] = r["reason"]
                for n in names:
                    head, sep, rest = r["reason"].partition(": ")
                    if sep and head.startswith(n + ":") and head[len(n) + 1:].isdigit():
                        r["file"], r["line"], r["reason"] = n, int(head[len(n) + 1:]), rest
                        break
            else:
                r["message"] = "%s:%d: %s%s%s" % (
                    r["file"], line, "patient %s: " % r["patient"] if r["patient"] else "",
                    "%s: " % r["where"] if r["where"] else "", r["reason"])
            reading.rejected.append(r)

        def on_note(_ctx, message):
            reading.notes.append(_text(message))

        callbacks = (_PATIENT_FN(on_patient), _READY_FN(on_ready), _ROW_REJECT_FN(on_reject),
                     _NOTE_FN(on_note))
        o = _ReaderOptions()
        reader = ctypes.c_void_p()
        try:
            self._check(lib.ot_patient_reader_options_init(ctypes.byref(o),
                                                           _READER_OPTIONS_VERSION))
            o.grouping = grouping_v
            o.patient, o.ready, o.reject, o.note = callbacks
            o.threads = int(threads)
            err = _Error()
            self._check(lib.ot_patient_reader_new(ctypes.byref(reader), rd, ctypes.byref(o),
                                                  ctypes.byref(err)), err)
            for item in inputs:
                err = _Error()
                item_name = name or "<bytes>"
                if isinstance(item, tuple):  # (bytes, the name they are given)
                    item, item_name = item
                if isinstance(item, (bytes, bytearray, memoryview)):
                    data = bytes(item)
                    names.append(item_name)
                    fmt = _bytes_format(data) if format == "auto" else \
                        _choice(_INPUT_FORMATS, format, "format")
                    if format == "auto" and lib.ot_input_looks_fhir(data, len(data)):
                        fmt = _INPUT_FORMATS["fhir"]
                    st = lib.ot_patient_reader_add_memory(reader, data, len(data),
                                                          _b(item_name), fmt,
                                                          ctypes.byref(err))
                else:
                    path = os.fspath(item)
                    names.append(path)
                    fmt = _path_format(path) if format == "auto" else \
                        _choice(_INPUT_FORMATS, format, "format")
                    if format == "auto" and fmt in (_INPUT_FORMATS["json"],
                                                    _INPUT_FORMATS["ndjson"]) and \
                            os.path.isfile(path):
                        with open(path, "rb") as f:  # FHIR, told by content as batch tells it
                            head = f.read(65536)
                        if lib.ot_input_looks_fhir(head, len(head)):
                            fmt = _INPUT_FORMATS["fhir"]
                    st = lib.ot_patient_reader_add_path(reader, os.fsencode(path), fmt,
                                                        ctypes.byref(err))
                if failure:
                    raise failure[0]
                self._check(st, err)
            err = _Error()
            st = lib.ot_patient_reader_finish(reader, ctypes.byref(err))
            if failure:
                raise failure[0]
            self._check(st, err)
            rows, rejected, nr = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
            lib.ot_patient_reader_counts2(reader, ctypes.byref(rows), ctypes.byref(rejected),
                                          ctypes.byref(nr))
            reading.rows, reading.rows_rejected = rows.value, rejected.value
            reading.not_relevant = nr.value
        finally:
            lib.ot_patient_reader_free(reader)
            lib.ot_patient_free(patient)
        return reading

    def precision(self, scans, *, facility=None, confidence=(), input="auto", name=None,
                  notes=None):
        """A facility's precision study (osteotrack precision --format json):
        the facility configuration dict, whose "lsc" gives each site's LSC and
        "study" the whole study; load(config=it) applies it.

        scans: a path to a CSV or JSON study file, or an iterable of dicts
            with patient_id, site, value and optionally unit (g/cm2 or
            mg/cm2), device, technologist, date.
        confidence: levels in percent besides 95 (e.g. (80, 90)).
        input: for a path, "auto" (by the name: *.json is JSON), "csv", "json".
        notes: a list that receives each note as a dict (kind: "rejected",
            "single_scan", "input" or "study"; line; message). Without it a
            rejected scan is an OsteotrackWarning: never dropped silently.
        """
        lib = self._lib
        rd = self._live()
        o = _PrecisionOptions()
        self._check(lib.ot_precision_options_init(ctypes.byref(o), _PRECISION_OPTIONS_VERSION))
        levels = [float(str(c).rstrip("%")) for c in confidence]
        level_array = (ctypes.c_double * max(1, len(levels)))(*levels)
        o.confidence = level_array
        o.nconfidence = len(levels)
        result = ctypes.POINTER(_PrecisionResult)()
        err = _Error()
        if isinstance(scans, (str, bytes)) or hasattr(scans, "__fspath__"):
            o.input = _choice(_PRECISION_INPUTS, input, "input")
            st = lib.ot_precision_read_file(ctypes.byref(result), rd, os.fsencode(scans),
                                            ctypes.byref(o), ctypes.byref(err))
        else:
            rows = list(scans)
            array = (_PrecisionScan * max(1, len(rows)))()
            keep = []  # the bytes the scans point at, alive for the call
            for i, row in enumerate(rows):
                sc = array[i]
                strings = [_b(row.get(k)) for k in ("patient_id", "device", "technologist")]
                keep.extend(strings)
                sc.patient_id, sc.device, sc.technologist = strings
                sc.site = self._parse(lib.ot_site_parse, row.get("site"), "site")
                sc.value = float(row.get("value"))
                sc.unit = self._parse(lib.ot_unit_parse, row.get("unit") or "g/cm2", "unit")
                sc.date = self._date(row.get("date"), "date")
                sc.line = i + 1
            st = lib.ot_precision_compute(ctypes.byref(result), rd, array, len(rows),
                                          _b(name), ctypes.byref(o), ctypes.byref(err))
        self._check(st, err, "precision")
        try:
            r = result.contents
            got = [{"kind": _PRECISION_NOTE_KINDS.get(r.notes[i].kind, str(r.notes[i].kind)),
                    "line": r.notes[i].line,
                    "message": r.notes[i].message.decode("utf-8", "replace")}
                   for i in range(r.nnotes)]
            out = ctypes.c_void_p()
            self._check(lib.ot_precision_result_to_config(ctypes.byref(out), result,
                                                          _b(facility)))
            try:
                config = json.loads(ctypes.string_at(out.value).decode("utf-8"))
            finally:
                lib.ot_free(out)
        finally:
            lib.ot_precision_result_free(result)
        if notes is not None:
            notes.extend(got)
        else:
            for n in got:
                if n["kind"] == "rejected":
                    warnings.warn("precision: line %d: %s" % (n["line"], n["message"]),
                                  OsteotrackWarning, stacklevel=2)
        return config


class PatientReading:
    """What read_patients() read: .reports (a list of report dicts, in the
    order the reader handed the patients on), .rejected (a list of dicts:
    file and line, the place; patient, its patient_id or None; where, the
    part of a document ("observations[2]") or None; reason; message, the
    whole line osteotrack batch writes), .notes (messages that reject nothing), .rows
    and .rows_rejected (the counts of osteotrack batch's closing line)."""

    def __init__(self):
        self.reports = []
        self.rejected = []
        self.notes = []
        self.rows = 0
        self.rows_rejected = 0
        self.not_relevant = 0  # FHIR resources of a type or code osteotrack does not use

    def messages(self):
        """Each rejection as osteotrack batch writes it: "FILE:LINE: patient ID: WHERE: reason"."""
        return [r["message"] for r in self.rejected]

    def __repr__(self):
        return "<PatientReading: %d reports, %d rows read, %d rejected>" % (
            len(self.reports), self.rows, self.rows_rejected)


def _text(b):
    return None if b is None else b.decode("utf-8", "replace")


def _choice(table, value, what):
    try:
        return table[str(value).lower()]
    except KeyError:
        raise OsteotrackError("%s: '%s' is not one of %s" % (what, value, ", ".join(table)),
                              -5) from None


def _path_format(path):
    if os.path.isdir(path):  # a FHIR Bulk Data export: its .ndjson files
        return _INPUT_FORMATS["fhir"]
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        return _INPUT_FORMATS["json"]
    if ext in (".ndjson", ".jsonl"):
        return _INPUT_FORMATS["ndjson"]
    if ext == ".csv":
        return _INPUT_FORMATS["csv"]
    raise OsteotrackError("%s: cannot tell the format from the name; give format= (csv, "
                          "long-csv, wide-csv, json, ndjson or fhir)" % path, -5)


def _bytes_format(data):
    head = data.lstrip()[:1]
    if head == b"[":
        return _INPUT_FORMATS["json"]
    if head == b"{":
        try:
            json.loads(data)
            return _INPUT_FORMATS["json"]
        except ValueError:
            return _INPUT_FORMATS["ndjson"]
    return _INPUT_FORMATS["csv"]


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


def patient_from_fhir(ot, document, as_of=None, *, detail="full"):
    """One HL7 FHIR R4 document of one patient (a Bundle, or NDJSON lines of
    resources; str, bytes or a dict) read by ot (an Osteotrack) as
    ot_patient_from_fhir reads it, and reported: a dict with "report" (the
    report dict, as for the patient's osteotrack JSON), "rejected" (each
    rejected resource: "entry[3]: reason"), "resources" (read) and
    "not_relevant" (of a type or code osteotrack does not use). Raises
    OsteotrackError when the document holds no patient or more than one."""
    lib = ot._lib
    if isinstance(document, dict):
        document = json.dumps(document)
    data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
    as_of_v = ot._as_of(as_of)
    detail_v = _choice(_DETAILS, detail, "detail")
    problems = []

    def on_reject(_ctx, where, reason):
        problems.append("%s: %s" % (_text(where), _text(reason)))

    callback = _REJECT_FN(on_reject)
    p = ctypes.c_void_p()
    ot._check(lib.ot_patient_new(ctypes.byref(p), b"-"))
    try:
        err = _Error()
        n, nr = ctypes.c_size_t(), ctypes.c_size_t()
        ot._check(lib.ot_patient_from_fhir(p, ot._live(), data, len(data), callback, None,
                                           ctypes.byref(n), ctypes.byref(nr), ctypes.byref(err)),
                  err, "patient")
        rep = ctypes.c_void_p()
        ot._check(lib.ot_report_build(ctypes.byref(rep), ot._live(), p, as_of_v,
                                      ctypes.byref(err)), err, "report")
        try:
            report = ot._json(lib.ot_report_to_json_detail, rep, detail_v)
        finally:
            lib.ot_report_free(rep)
    finally:
        lib.ot_patient_free(p)
    return {"report": report, "rejected": problems, "resources": n.value,
            "not_relevant": nr.value}


# ---- FHIR out (docs/fhir.md) ----
_PROTOTYPES["ot_report_to_fhir"] = (ctypes.c_int, [_PP, _P, _P, ctypes.c_uint])


def _report_fhir(self, patient, as_of=None, *, rejected=None, strict=False):
    """One patient's report as a FHIR R4 Bundle (a dict): osteotrack batch
    --format fhir. patient, as_of, rejected and strict as in report()."""
    lib = self._lib
    as_of_v = self._as_of(as_of)
    text = patient if isinstance(patient, (str, bytes)) else json.dumps(patient)
    data = text.encode("utf-8") if isinstance(text, str) else text
    problems = []

    def on_reject(_ctx, where, reason):
        problems.append("%s: %s" % (where.decode("utf-8", "replace"),
                                    reason.decode("utf-8", "replace")))

    callback = _REJECT_FN(on_reject)
    p, rep, out = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    err = _Error()
    self._check(lib.ot_patient_new(ctypes.byref(p), b"-"))
    try:
        self._check(lib.ot_patient_from_json(p, self._live(), data, len(data), callback, None,
                                             ctypes.byref(ctypes.c_size_t()),
                                             ctypes.byref(err)), err, "patient")
        pid = _patient_id(patient)
        if problems and strict:
            raise OsteotrackError("patient %s: %s" % (pid, "; ".join(problems)), -5)
        for x in problems:
            if rejected is not None:
                rejected.append("patient %s: %s" % (pid, x))
            else:
                warnings.warn("patient %s: %s" % (pid, x), OsteotrackWarning, stacklevel=2)
        self._check(lib.ot_report_build(ctypes.byref(rep), self._live(), p, as_of_v,
                                        ctypes.byref(err)), err, "report")
        self._check(lib.ot_report_to_fhir(ctypes.byref(out), rep, p, 0))
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        lib.ot_free(out)
        lib.ot_report_free(rep)
        lib.ot_patient_free(p)


Osteotrack.report_fhir = _report_fhir
