"""osteotrack on a Dask cluster: one report a patient from rows spread over
many files and machines (docs/scale-out.md, the partition contract).

    import dask.dataframe as dd, dask
    from osteotrack.dask import reports
    df = dd.read_csv("scans-*.csv", dtype=str, keep_default_na=False)
    out, rejected = reports(df, as_of="2024-06-01")
    lines, bad = dask.compute(out, rejected)     # compute the two together

reports(df, ...) shuffles the rows by patient_id with Dask's own shuffle, so
each patient is whole in one partition, then runs the library's patient
reader over each partition (rendered as long CSV): the same reader, rules and
JSON writer as `osteotrack batch`. reports_from_bag(bag, ...) does the same
for a Bag of patient documents. Both return two Bags: the reports (the JSON
text, byte for byte batch's line for the patient) and the rejected rows
(dicts: file, line, patient, where, reason, message), so nothing is lost.

The reference data and the configuration reach each worker once: on a
distributed cluster a WorkerPlugin loads them when the worker starts (a
worker that replaces a dead one loads them too); otherwise one key of the
graph holds them. Each worker process loads libosteotrack itself (ctypes) and
keeps one loaded Osteotrack a configuration, in a cache of the process keyed
by the library, the data directory and the configuration's digest.

The command: `osteotrack-dask` or `python3 -m osteotrack.dask` (--help).
"""

import argparse
import bisect
import glob
import hashlib
import json
import math
import os
import re
import sys
import threading

import osteotrack as _ot

__all__ = ["reports", "reports_from_bag", "main"]

# The loaded reference data of this process, by settings key (see _Settings).
_ENGINES = {}
_ENGINES_LOCK = threading.Lock()

# The columns that carry a row's place in its input; never sent to the library.
PLACE_COLUMNS = ("_file", "_fileno", "_line", "_raw", "_pid", "_q")
_PART = "<partition>"


class _Settings:
    """What every task needs: the library, the data directory, the
    configuration (its bytes, not a path: workers may not see the client's
    files), the date and the detail. key: their digest."""

    def __init__(self, as_of, config=None, data_dir=None, library=None, detail="full"):
        self.config_name = "<config dict>"
        if isinstance(config, dict):
            config_bytes = json.dumps(config).encode("utf-8")
        elif config is not None:
            with open(config, "rb") as f:
                config_bytes = f.read()
            self.config_name = os.fspath(config)
        else:
            config_bytes = None
        self.config = config_bytes
        self.data_dir = None if data_dir is None else os.path.abspath(data_dir)
        self.library = library
        self.as_of = None if as_of is None else _ot._date_text(as_of)
        self.detail = detail
        h = hashlib.sha256()
        for part in (self.library or "", self.data_dir or "", self.config or b""):
            h.update(part.encode() if isinstance(part, str) else part)
            h.update(b"\0")
        self.key = "osteotrack-" + h.hexdigest()[:16]

    def engine(self):
        """This process's Osteotrack for these settings (loaded once)."""
        with _ENGINES_LOCK:
            e = _ENGINES.get(self.key)
            if e is None:
                e = _ot.Osteotrack(data_dir=self.data_dir, library=self.library)
                if self.config is not None:  # the bytes, under the name of their file
                    err = _ot._Error()
                    e._check(e._lib.ot_refdata_apply_config_text(
                        e._live(), self.config, self.config_name.encode("utf-8"),
                        _ot.ctypes.byref(err)), err)
                _ENGINES[self.key] = e
            return e


def _engine(key, settings):
    e = _ENGINES.get(key)
    if e is not None:
        return e
    if settings is None:
        raise _ot.OsteotrackError("osteotrack.dask: this worker has no reference data loaded "
                                  "(%s): the worker plugin did not run" % key, -9)
    return settings.engine()


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # dask without distributed: the local schedulers only
    _WorkerPlugin = object


class OsteotrackPlugin(_WorkerPlugin):
    """Loads the library and the reference data into a worker when it starts."""

    def __init__(self, settings):
        self.settings = settings
        self.name = settings.key

    def setup(self, worker=None):
        self.settings.engine()


def _distributed_client():
    try:
        from distributed import default_client
        return default_client()
    except (ImportError, ValueError):
        return None


def _ship(settings):
    """Registers the plugin on a distributed cluster (then tasks carry only
    the key) or returns the settings as one key of the graph (the local
    schedulers)."""
    import dask
    client = _distributed_client()
    if client is not None and dask.config.get("scheduler", None) in (None, "dask.distributed",
                                                                      "distributed"):
        register = getattr(client, "register_plugin", None) or client.register_worker_plugin
        register(OsteotrackPlugin(settings), name=settings.key)
        return None
    return dask.delayed(settings, pure=True)


# --- a partition through the library ---------------------------------------
# "(line N: ...)" in a reason names another row of the same input (a duplicate)
_LINE_IN_REASON = re.compile(r"(\(line |opened on line |resumes at line )(\d+)")


def _starts(records, first_line):
    """The line each record starts on, written one after another from
    first_line (a record may hold quoted newlines)."""
    starts, line = [], first_line
    for rec in records:
        starts.append(line)
        line += 1 + rec.count("\n")
    return starts


def _orig(place, line):
    """The (file, line) in the original input of a line of a partition's
    input: place = (the line each record starts on there, their (file, line))."""
    starts, origin = place
    i = bisect.bisect_right(starts, line) - 1 if line is not None else -1
    if i < 0 and origin and line is not None and line < starts[0]:
        return (origin[0][0], line)  # the header: the file's own first lines
    if not 0 <= i < len(origin):
        return (_PART, line)
    f, ln = origin[i]  # a line inside a record: as far from its first
    return (f, ln + line - starts[i] if isinstance(ln, int) else ln)


_NOTE_PLACE = re.compile(r"^(%s(?:-\d+)?)(?::(\d+))?: " % re.escape(_PART))


def _remap_note(note, places):
    m = _NOTE_PLACE.match(note)
    if not m or m.group(1) not in places:
        return note
    if m.group(2) is None:  # the input's: its file's
        origin = places[m.group(1)][1]
        return "%s: %s" % (origin[0][0], note[m.end():]) if origin else note
    f, ln = _orig(places[m.group(1)], int(m.group(2)))
    return "%s:%s: %s" % (f, ln, note[m.end():])


def _remap(rejected, places):
    """Gives each rejection from a partition's input its place in the
    original input: places[input name] = (the line each record starts on in
    the partition's input, the (file, line) of each record)."""
    out = []
    for r in rejected:
        place = places.get(r["file"])
        if place is not None:

            def orig(line, place=place):
                return _orig(place, line)

            f, ln = orig(r["line"])
            reason = _LINE_IN_REASON.sub(
                lambda m: "%s%s" % (m.group(1), orig(int(m.group(2)))[1]), r["reason"])
            r = dict(r, file=f, line=ln, reason=reason)
            r["message"] = "%s:%s: %s%s%s" % (
                f, ln, "patient %s: " % r["patient"] if r["patient"] else "",
                "%s: " % r["where"] if r["where"] else "", reason)
        out.append(r)
    return out


def _report_id(text):
    # the report's JSON text begins {"patient_id":"..."
    if text.startswith('{"patient_id":'):
        return json.JSONDecoder().raw_decode(text, 14)[0]
    return json.loads(text).get("patient_id")


def _read(key, settings, as_of, detail, inputs, fmt, places):
    """The partition's inputs ((bytes, name) pairs) through one reader: the
    reports sorted by patient_id, the rejections with their places."""
    reading = _engine(key, settings).read_patients(inputs, as_of, format=fmt, detail=detail,
                                                   raw=True)
    reports = sorted((_report_id(t), t) for t in reading.reports)
    return {"reports": [t for _, t in reports], "rejected": _remap(reading.rejected, places),
            "notes": [_remap_note(n, places) for n in reading.notes], "rows": reading.rows,
            "rows_rejected": reading.rows_rejected}


def _csv_partition(pdf, key, settings, as_of, detail, headers=None, files=None):
    """One partition of rows (a pandas DataFrame) through the library.

    With a `_raw` column (the command's), each row is its input's own line,
    under its file's header (headers[_fileno]); else the columns are written
    as long CSV. With `_fileno` (or `_file`) and `_line`, a rejection names
    the row's place in the original input and the rows reach the library in
    their input's order, as batch reads them; else the place is
    <dataframe>:INDEX."""
    if "_fileno" in pdf.columns and "_line" in pdf.columns:
        pdf = pdf.sort_values(["_fileno", "_line"], kind="stable")
    elif "_file" in pdf.columns and "_line" in pdf.columns:
        pdf = pdf.sort_values(["_file", "_line"], kind="stable")
    if "_file" in pdf.columns:
        file_of = pdf["_file"].tolist()
    elif "_fileno" in pdf.columns and files is not None:
        file_of = [files[i] for i in pdf["_fileno"].tolist()]
    else:
        file_of = None
    origin = list(zip(file_of, pdf["_line"].tolist())) if file_of is not None and \
        "_line" in pdf.columns else [("<dataframe>", i) for i in pdf.index]
    inputs, places = [], {}
    if "_raw" in pdf.columns:
        fileno = pdf["_fileno"].tolist()
        raw = pdf["_raw"].tolist()
        alone = pdf["_q"].tolist() if "_q" in pdf.columns else [0] * len(raw)
        lo = 0
        while lo < len(raw):  # one input a file: its header, then its rows
            hi = lo + 1  # a quote never closed is the end of its input: alone in one
            while hi < len(raw) and fileno[hi] == fileno[lo] and not alone[lo] and \
                    not alone[hi]:
                hi += 1
            name = "%s-%d" % (_PART, len(inputs))
            lines = raw[lo:hi]
            text = headers[fileno[lo]] + "\n" + "\n".join(lines) + "\n"
            inputs.append((text.encode("utf-8", "surrogateescape"), name))
            places[name] = (_starts(lines, headers[fileno[lo]].count("\n") + 2),
                            origin[lo:hi])
            lo = hi
    elif len(pdf):
        data = pdf[[c for c in pdf.columns if c not in PLACE_COLUMNS]]
        text = data.to_csv(index=False, lineterminator="\n")
        if text.count("\n") == len(pdf) + 1:
            starts = list(range(2, len(pdf) + 2))
        else:  # values with newlines, quoted
            starts = _starts(data.astype(str).agg("".join, axis=1).tolist(), 2)
        inputs.append((text.encode("utf-8"), _PART))
        places[_PART] = (starts, origin)
    return _read(key, settings, as_of, detail, inputs, "csv", places)


def _doc_parts(item):
    """(file, line, document) of a Bag item: a dict, JSON text, or a
    (file, line, document) tuple that names the document's place."""
    if isinstance(item, tuple) and len(item) == 3:
        return item
    return (None, None, item)


def _doc_id(item):
    """The patient_id the library reads from a document: cJSON is not strict
    about control characters in strings, a BOM may open the file, and an
    integral number is written as "%.0f" writes it (patient_json.c)."""
    doc = _doc_parts(item)[2]
    if isinstance(doc, bytes):
        doc = doc.decode("utf-8", "surrogateescape")
    if isinstance(doc, str):
        try:
            doc = json.loads(doc.lstrip("\ufeff"), strict=False)
        except ValueError:
            return ""  # the library rejects it, in whichever partition
    pid = doc.get("patient_id") if isinstance(doc, dict) else None
    if isinstance(pid, str):
        return pid.strip()
    if isinstance(pid, (int, float)) and not isinstance(pid, bool):
        try:
            if pid == math.floor(pid) and abs(pid) < 1e15:
                return "%.0f" % pid
        except (OverflowError, ValueError):
            pass
    return ""  # not a patient document: rejected, in whichever partition


def _stable(pid):
    """A partition key of an id that every process computes alike (Python's
    hash() of a str differs from process to process: PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.blake2b(pid.encode("utf-8", "surrogateescape"),
                                          digest_size=7).digest(), "big")


def _doc_key(item):
    return _stable(_doc_id(item))


def _docs_partition(groups, key, settings, as_of, detail, files=None):
    """One partition of (patient_id, [documents]) groups through the library,
    as NDJSON: the documents in their input's order when they name it."""
    items = [_doc_parts(it) for _, docs in groups for it in docs]
    items.sort(key=lambda x: (x[0] is not None, x[0] if x[0] is not None else 0,
                              x[1] if x[1] is not None else 0))
    lines, origin = [], []
    for n, (f, line, doc) in enumerate(items):
        if not isinstance(doc, (str, bytes)):
            doc = json.dumps(doc)
        elif isinstance(doc, bytes):
            doc = doc.decode("utf-8", "surrogateescape")
        if "\n" in doc:  # one document a line
            try:
                doc = json.dumps(json.loads(doc))
            except ValueError:
                doc = doc.replace("\n", " ")
        lines.append(doc)
        if f is None:
            origin.append(("<bag>", n + 1))
        else:
            origin.append((files[f] if files is not None and isinstance(f, int) else f, line))
    inputs, places = [], {}
    if lines:
        text = "\n".join(lines) + "\n"
        inputs.append((text.encode("utf-8", "surrogateescape"), _PART))
        places[_PART] = (list(range(1, len(lines) + 1)), origin)
    return _read(key, settings, as_of, detail, inputs, "ndjson", places)


def _get(result, what):
    return result[what]


def _bags(results):
    import dask
    import dask.bag as db
    return (db.from_delayed([dask.delayed(_get)(r, "reports") for r in results]),
            db.from_delayed([dask.delayed(_get)(r, "rejected") for r in results]))


def _and_write(fn, path, *args):
    """A partition's reports written where the task runs (the command's): the
    reports leave the task's memory at once, only the counts go back."""
    return _write(fn(*args), path)


def _tasks(fn, write_to, args):
    import dask
    if write_to is None:
        return [dask.delayed(fn, pure=True)(*a) for a in args]
    return [dask.delayed(_and_write, pure=True)(fn, path, *a) for path, a in
            zip(write_to(len(args)), args)]


def _df_results(df, settings, npartitions=None, headers=None, files=None, write_to=None):
    if "patient_id" not in df.columns:
        raise _ot.OsteotrackError("osteotrack.dask.reports: the DataFrame has no patient_id "
                                  "column (columns: %s)" % ", ".join(map(str, df.columns)), -1)
    import dask
    shipped = _ship(settings)
    if headers is not None:  # one key of the graph, not a copy in every task
        headers = dask.delayed(headers, pure=True)
    if files is not None:
        files = dask.delayed(files, pure=True)
    on = "patient_id"
    if "_raw" not in df.columns:  # the id as the library reads it: " P1 " is P1
        df = df.assign(_pid=df["patient_id"].astype(str).str.strip())
        on = "_pid"
    shuffled = df.shuffle(on, npartitions=npartitions or df.npartitions)
    return _tasks(_csv_partition, write_to,
                  [(part, settings.key, shipped, settings.as_of, settings.detail, headers, files)
                   for part in shuffled.to_delayed()])


def _bag_results(bag, settings, npartitions=None, files=None, write_to=None):
    import dask
    shipped = _ship(settings)
    if files is not None:  # one key of the graph, not a copy in every task
        files = dask.delayed(files, pure=True)
    grouped = bag.groupby(_doc_key, npartitions=npartitions or bag.npartitions, shuffle="tasks")
    if npartitions and grouped.npartitions != npartitions:  # the task shuffle keeps the input's
        grouped = grouped.repartition(npartitions)  # an item is a whole patient: kept whole
    return _tasks(_docs_partition, write_to,
                  [(part, settings.key, shipped, settings.as_of, settings.detail, files)
                   for part in grouped.to_delayed()])


def reports(df, as_of, config=None, npartitions=None, *, data_dir=None, library=None,
            detail="full"):
    """Reports of the patients in a Dask DataFrame of long CSV rows.

    df: the columns of osteotrack's long CSV (patient_id, date, analyte,
        site, value, ...); read them as text (dtype=str,
        keep_default_na=False) so that the library sees the values as they
        were written. Optional `_file` and `_line` columns name each row's
        place in its input (rejections then name it, and the rows of a
        patient reach the library in that order, as with batch).
    as_of: the date the reports are made for (YYYY-MM-DD or a date).
    config: a facility configuration (a path, read here, or a dict).
    npartitions: the partitions after the shuffle (default: df's).
    Returns (reports, rejected): two Bags, of the reports' JSON text (one a
    patient, each partition sorted by patient_id, byte for byte the line
    osteotrack batch writes) and of the rejected rows (dicts: file, line,
    patient, where, reason, message). Compute them together
    (dask.compute(reports, rejected)) so that each partition is read once.
    """
    settings = _Settings(as_of, config, data_dir, library, detail)
    return _bags(_df_results(df, settings, npartitions))


def reports_from_bag(bag, as_of, config=None, npartitions=None, *, data_dir=None, library=None,
                     detail="full"):
    """Reports of the patients in a Dask Bag of patient documents (dicts or
    JSON text, as osteotrack(1) describes them; a patient's documents may be
    many). An item may be a (file, line, document) tuple that names the
    document's place. Returns (reports, rejected) as reports() does."""
    settings = _Settings(as_of, config, data_dir, library, detail)
    return _bags(_bag_results(bag, settings, npartitions))


# --- the command: files in blocks, a place for every line -------------------
_BLOCK = 32 << 20  # bytes of input a task reads


# The library's CSV rules (src/lib/csv.c), as far as where a record ends and
# what its fields are: a field that opens with a quote is quoted (and may hold
# newlines) until a quote not doubled; a quote inside an unquoted field, or
# text after a closing quote, is an error of the record, not a quote that
# opens; a quote never closed runs to the end of the input, where the record
# is rejected and reading resumes at the line after the one the quote opened on.
_F, _U, _Q, _QQ, _QCR = range(5)


_WELL = {}


def _well(delim):
    """A line of whole, well-formed fields (quoted ones closed, no stray
    quote): the library's and Python's csv module's readings agree on it."""
    r = _WELL.get(delim)
    if r is None:
        d = re.escape(delim)
        field = r'(?:"(?:[^"]|"")*"|[^"%s]*)' % d
        r = _WELL[delim] = re.compile(r'%s(?:%s%s)*\r?\Z' % (field, d, field))
    return r


def _scan(line, delim, st, fields=None):
    """Runs a line (no newline) from state st; the state at its end and
    whether the quote open there opened on this line. fields: a list the
    fields that end on the line are appended to (the last one's text so far
    is left in fields[-1] when st is _Q)."""
    if st == _F and fields is None and _well(delim).match(line):  # the common case, fast
        return _F, False
    opened, cur = False, []
    for ch in line:
        if st == _F:
            if ch == '"':
                st, opened = _Q, True
                continue
            st = _U
        if st == _U:
            if ch == delim:
                if fields is not None:
                    fields.append("".join(cur))
                cur, st = [], _F
            else:
                cur.append(ch)
            continue
        if st == _Q:
            if ch == '"':
                st = _QQ
            else:
                cur.append(ch)
            continue
        if st == _QQ and ch == '"':
            cur.append('"')
            st = _Q
        elif st == _QQ and ch == delim:
            if fields is not None:
                fields.append("".join(cur))
            cur, st = [], _F
        elif st == _QQ and ch == "\r":
            st = _QCR
        else:  # text after the closing quote: read again as unquoted
            st = _U
            if ch == delim:
                if fields is not None:
                    fields.append("".join(cur))
                cur, st = [], _F
            else:
                cur.append(ch)
    if fields is not None:
        fields.append("".join(cur))
    return st, opened and st == _Q


def _fields(rec, delim):
    """A record's fields as the library splits them (a bad record: its
    best reading; the library rejects it whatever its fields)."""
    if '"' not in rec:
        return rec.split(delim)
    if "\n" not in rec and "\0" not in rec and _well(delim).match(rec):
        import csv
        return next(csv.reader([rec.rstrip("\r")], delimiter=delim), [""])
    fields, st = [], _F
    parts = rec.split("\n")
    for k, line in enumerate(parts):
        got = []
        st, _ = _scan(line, delim, st, got)
        if fields and k:  # a quoted newline: the field goes on
            fields[-1] += "\n" + got[0]
            got = got[1:]
        fields.extend(got)
    return fields


def _detect(line):
    """The delimiter as the library detects it from the header line."""
    n, quoted = {",": 0, ";": 0, "\t": 0}, False
    for ch in line:
        quoted ^= ch == '"'
        if not quoted and ch in n:
            n[ch] += 1
    return "," if n[","] or not (n[";"] or n["\t"]) else ";" if n[";"] >= n["\t"] else "\t"


def _blocks(path, blocksize, delim, header_len=0):
    """Cuts a file into blocks of whole records: (start, end, first line).
    One sequential pass over the lines with the library's rules (a newline
    inside a quoted value does not end a record; a quote never closed ends
    its record at its line), so that every row keeps its line."""
    size = os.path.getsize(path)
    out, start, start_line = [], 0, 1
    pos, line, st, q_pos, q_line = 0, 1, _F, 0, 0
    with open(path, "rb") as f:
        while True:
            raw = f.readline()
            if not raw:
                if st != _Q:
                    break
                # never closed: the record ends at the quote's line, reading goes on after it
                pos, line, st = q_pos, q_line + 1, _F
                f.seek(pos)
                continue
            if delim is not None and b'"' in raw:  # NDJSON (None): a line is a record
                st, opened = _scan(raw.rstrip(b"\n").decode("latin-1"), delim, st)
                if opened:
                    q_pos, q_line = pos + len(raw), line
            elif st != _Q:
                st = _F
            if st != _Q:
                st = _F
            pos += len(raw)
            line += 1
            if st == _F and pos - start >= blocksize and header_len <= pos < size:
                out.append((start, pos, start_line))
                start, start_line = pos, line
    if start < size:
        out.append((start, size, start_line))
    return out


def _records(text, first_line, delim=","):
    """The records of a block of whole records: (the line each starts on,
    the record, 1 if its quote is never closed); empty lines skipped, as the
    library skips them (a line of spaces is a record: the library rejects it)."""
    out, lines = [], text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i, n = 0, len(lines)
    while i < n:
        j, st, q = i, _F, i
        while j < n:
            if '"' in lines[j]:
                st, opened = _scan(lines[j], delim, st)
                if opened:
                    q = j
            if st != _Q:
                break
            j += 1
        if st == _Q:  # the block ends as the file does: never closed
            out.append((first_line + i, "\n".join(lines[i:q + 1]), 1))
            i = q + 1
            continue
        rec = "\n".join(lines[i:j + 1])
        if rec not in ("", "\r"):
            out.append((first_line + i, rec, 0))
        i = j + 1
    return out


def _header(path):
    """The header as the library finds it: the first line that is not empty
    (text: it and the empty lines before it, so that the rows keep their
    lines), its delimiter, the patient_id column, the bytes up to the rows."""
    with open(path, "rb") as f:
        head = f.readline(1 << 20)
        while head.strip(b"\r\n\xef\xbb\xbf") == b"" and head.endswith(b"\n"):
            more = f.readline(1 << 20)
            if not more:
                break
            head += more
    text = head.decode("utf-8", "surrogateescape").rstrip("\r\n")
    bare = text.split("\n")[-1].lstrip("\ufeff")
    delim = _detect(bare)
    names = [c.strip().lower() for c in _fields(bare, delim)]  # any case
    # without patient_id the library rejects the header (_check_header)
    return text, delim, names.index("patient_id") if "patient_id" in names else 0, len(head)


def _csv_block(path, fileno, start, end, first_line, delim, col, header_len):
    """A block of a CSV file as rows: patient_id (trimmed, as the library
    trims it), the line itself, its file and line."""
    import pandas as pd
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    if start == 0:  # the header is not a row
        data, first_line = data[header_len:], first_line + data.count(b"\n", 0, header_len)
    recs = _records(data.decode("utf-8", "surrogateescape"), first_line, delim)
    ids = []
    for _, rec, _ in recs:
        fields = _fields(rec, delim)
        ids.append(fields[col].strip() if len(fields) > col else "")
    return pd.DataFrame({"patient_id": pd.Series(ids, dtype=object),
                         "_raw": pd.Series([r for _, r, _ in recs], dtype=object),
                         "_q": pd.Series([u for _, _, u in recs], dtype="int8"),
                         "_fileno": pd.Series([fileno] * len(recs), dtype="int32"),
                         "_line": pd.Series([ln for ln, _, _ in recs], dtype="int64")})


def _ndjson_block(path, fileno, start, end, first_line):
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start).decode("utf-8", "surrogateescape")
    if start == 0 and data.startswith("\ufeff"):  # the library skips it at the file's start
        data = data[1:]
    out = []
    for n, line in enumerate(data.split("\n")):
        if line.strip():
            out.append((fileno, first_line + n, line))
    return out


def _csv_frame(files, blocksize):
    import dask
    import dask.dataframe as dd
    import pandas as pd
    headers, blocks, rowless = [], [], set()
    block = dask.delayed(_csv_block, pure=True)
    for fileno, path in enumerate(files):
        with open(path, "rb") as f:
            first = f.read(65536)
        if b"\r" in first and b"\n" not in first:  # batch reads every CR as a line end
            raise _Usage("%s: its lines end with CR alone (classic Mac): the blocks are cut at "
                         "LF; convert the file (tr '\\r' '\\n') or use osteotrack batch" % path,
                         EX_DATAERR)
        text, delim, col, header_len = _header(path)
        rest = os.path.getsize(path) - header_len
        if rest < 65536:
            with open(path, "rb") as f:
                f.seek(header_len)
                if not f.read().strip(b"\r\n"):
                    rowless.add(fileno)
        headers.append(text)
        blocks.append([(path, fileno, start, end, first, delim, col, header_len)
                       for start, end, first in _blocks(path, blocksize, delim, header_len)])
    meta = pd.DataFrame({"patient_id": pd.Series([], dtype=object),
                         "_raw": pd.Series([], dtype=object),
                         "_q": pd.Series([], dtype="int8"),
                         "_fileno": pd.Series([], dtype="int32"),
                         "_line": pd.Series([], dtype="int64")})

    def frame(skip=()):
        """The rows of the files but those in skip (their header rejected)."""
        parts = [block(*b) for fileno, bs in enumerate(blocks) if fileno not in skip
                 for b in bs] or [dask.delayed(meta, pure=True)]
        return dd.from_delayed(parts, meta=meta, verify_meta=False)
    frame.rowless = rowless
    return frame, headers


def _check_header(key, settings, as_of, detail, header, name):
    """A file's header alone through the library, once a file (batch rejects
    a bad header once and reads none of the file's rows)."""
    reading = _engine(key, settings).read_patients(
        [((header + "\n").encode("utf-8", "surrogateescape"), name)], as_of, format="csv",
        detail=detail, raw=True)
    return {"patients": 0, "rejected": reading.rejected, "notes": reading.notes,
            "rows": reading.rows, "rows_rejected": reading.rows_rejected}


def _ndjson_bag(files, blocksize):
    import dask
    import dask.bag as db
    block = dask.delayed(_ndjson_block, pure=True)
    return db.from_delayed([block(path, fileno, start, end, first)
                            for fileno, path in enumerate(files)
                            for start, end, first in _blocks(path, blocksize, None)])


def _write(result, path):
    """Writes a partition's reports (by the worker), returns the rest."""
    with open(path, "w", encoding="utf-8") as f:
        for text in result["reports"]:
            f.write(text)
            f.write("\n")
    return {"patients": len(result["reports"]), "rejected": result["rejected"],
            "notes": result["notes"], "rows": result["rows"],
            "rows_rejected": result["rows_rejected"], "file": path}


# exit statuses, as osteotrack's (sysexits.h)
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE, EX_CANTCREAT = 64, 65, 66, 70, 73


class _Usage(Exception):
    def __init__(self, message, status=EX_USAGE):
        super().__init__(message)
        self.status = status


def _inputs(patterns, given):
    files = []
    for p in patterns:
        if any(c in p for c in "*?["):
            found = sorted(glob.glob(p))
            if not found:
                raise _Usage("%s: no file matches" % p, EX_NOINPUT)
        elif not os.path.isfile(p):
            raise _Usage("%s: no such file" % p, EX_NOINPUT)
        else:
            found = [p]
        files.extend(found)
    formats = set()
    for f in files:
        ext = os.path.splitext(f)[1].lower()
        fmt = given or {".csv": "csv", ".tsv": "csv", ".ndjson": "ndjson",
                        ".jsonl": "ndjson"}.get(ext)
        if fmt is None:
            raise _Usage("%s: cannot tell the input format from the name (CSV: .csv, .tsv; "
                         "NDJSON: .ndjson, .jsonl; or --input-format)%s" % (
                             f, "; a JSON array is not split: osteotrack batch reads it"
                             if ext == ".json" else ""))
        formats.add(fmt)
    if len(formats) > 1:
        raise _Usage("the inputs are CSV and NDJSON: give one format a run")
    return files, formats.pop()


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # a usage error is 64, as osteotrack's
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, "%s: %s\n" % (self.prog, message))


def _parser():
    p = _ArgumentParser(
        prog="osteotrack-dask",
        description="One osteotrack report a patient, on a Dask cluster: reads CSV (long or "
                    "wide) or NDJSON files, gathers each patient's rows into one partition "
                    "(Dask's shuffle by patient_id), reports each partition with libosteotrack "
                    "and writes NDJSON reports to a folder, one file a partition "
                    "(part-NNNNN.ndjson, sorted by patient_id), the rejected rows to "
                    "rejected.ndjson (and each on stderr, as osteotrack batch writes them), and "
                    "closes with batch's counts. Exit status: 0; 65 when rows were rejected; "
                    "64 usage; 66 an input missing; 73 the folder not writable; 70 the cluster "
                    "failed.",
        epilog="See docs/scale-out.md: the partition contract, Spark and PostgreSQL.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files or globs (quoted, expanded here: 'scans-*.csv')")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the folder the reports go to (created; must be empty)")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                   help="the date the reports are made for")
    p.add_argument("--config", metavar="FILE", help="a facility configuration (read here, "
                   "sent to each worker once)")
    p.add_argument("--data-dir", metavar="DIR", help="the reference data, as the workers see "
                   "it (default: theirs: $OSTEOTRACK_DATA_DIR, else the installed data)")
    p.add_argument("--detail", choices=("full", "summary"), default="full")
    p.add_argument("--input-format", choices=("csv", "ndjson"),
                   help="default: by the names (.csv .tsv, .ndjson .jsonl)")
    p.add_argument("--partitions", type=int, metavar="N",
                   help="partitions after the shuffle: report files (default: the input's "
                        "blocks)")
    p.add_argument("--blocksize", type=float, default=_BLOCK / (1 << 20), metavar="MB",
                   help="MB of input a reading task takes (default %(default)g)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running scheduler (tcp://host:8786); default: a LocalCluster")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="the LocalCluster's worker processes (default 2)")
    p.add_argument("--threads-per-worker", type=int, default=1, metavar="N")
    p.add_argument("--memory-limit", default="auto", metavar="BYTES",
                   help="a LocalCluster worker's memory limit (default: auto)")
    p.add_argument("--timings", action="store_true",
                   help="print where the workers' time went, by kind of task")
    return p


def _timings(stream):
    """Seconds of worker time by phase, from distributed's task stream: read
    (the input's blocks), shuffle (Dask's tasks that move rows to their
    partition, and every transfer between workers), report and write (the
    library over a partition, its file written)."""
    kinds = {}
    for t in stream:
        name = t.get("key", "")
        name = str(name[0] if isinstance(name, tuple) else name)
        # a fused task is named after all its parts: the last one says what it is
        phase = "report and write" if "_and_write" in name or "_partition" in name \
            else "read" if "_block" in name else "shuffle"
        for s in t.get("startstops", ()):
            k = "%s (%s)" % (phase if s["action"] == "compute" else "shuffle", s["action"])
            kinds[k] = kinds.get(k, 0.0) + s["stop"] - s["start"]
    return dict(sorted(kinds.items()))


def _peak_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None):
    args = _parser().parse_args(argv)
    prog = "osteotrack-dask"
    try:
        if args.partitions is not None and args.partitions < 1:
            raise _Usage("--partitions: '%s' is not a number of partitions from 1" %
                         args.partitions)
        if args.workers < 1 or args.threads_per_worker < 1 or args.blocksize <= 0:
            raise _Usage("--workers, --threads-per-worker and --blocksize must be positive")
        try:
            _ot._dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise _Usage("--as-of: '%s' is not a valid date (expected YYYY-MM-DD)" % args.as_of)
        if args.config is not None and not os.path.isfile(args.config):
            raise _Usage("--config: %s: no such file" % args.config, EX_NOINPUT)
        files, fmt = _inputs(args.inputs, args.input_format)
        files = [os.path.abspath(f) for f in files]
        settings = _Settings(args.as_of, args.config, args.data_dir, None, args.detail)
        if not args.scheduler:  # the workers are this machine's: a bad configuration is said now
            settings.engine()
        out = args.output
        if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
            raise _Usage("%s: exists and is not an empty folder (the reports of another run?)"
                         % out, EX_CANTCREAT)
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as e:
            raise _Usage("%s: %s" % (out, e.strerror), EX_CANTCREAT)
        blocksize = int(args.blocksize * (1 << 20))
        if fmt == "csv":
            frame, headers = _csv_frame(files, blocksize)
            short = [os.path.relpath(f) if not os.path.isabs(args.inputs[0]) else f
                     for f in files]
        else:
            bag = _ndjson_bag(files, blocksize)
            short = [os.path.relpath(f) if not os.path.isabs(args.inputs[0]) else f
                     for f in files]
    except _Usage as e:
        print("%s: %s" % (prog, e), file=sys.stderr)
        return e.status
    except _ot.OsteotrackError as e:  # the statuses of osteotrack's (cli_exit_for)
        print("%s: %s" % (prog, e), file=sys.stderr)
        return {-3: EX_NOINPUT, -2: EX_SOFTWARE, -10: EX_SOFTWARE, -4: EX_DATAERR,
                -11: EX_DATAERR, -12: EX_DATAERR, -9: EX_DATAERR}.get(e.status, EX_USAGE)

    import dask
    from distributed import Client, LocalCluster, get_task_stream
    # the workers import this package: where this process found it
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [here] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers,
                                   threads_per_worker=args.threads_per_worker, processes=True,
                                   memory_limit=args.memory_limit, dashboard_address=None)
            client = Client(cluster)
        with client:
            def write_to(n):
                return [os.path.abspath(os.path.join(out, "part-%05d.ndjson" % i))
                        for i in range(n)]
            checked, head_notes = [], []
            if fmt == "csv":  # each header once: a bad one is one rejection, its file not read
                shipped = _ship(settings)
                checks = dask.compute(*[dask.delayed(_check_header, pure=True)(
                    settings.key, shipped, settings.as_of, settings.detail, h, name)
                    for h, name in zip(headers, short)])
                skip = {i for i, c in enumerate(checks) if c["rows_rejected"]}
                checked = [checks[i] for i in sorted(skip)]
                # the header's notes, first, as batch writes them; "no data rows" of a file
                # with rows is the header's alone
                head_notes = [n for i, c in enumerate(checks) for n in c["notes"]
                              if i in frame.rowless or
                              n != "%s: no data rows after the header" % short[i]]
                writes = _df_results(frame(skip), settings, args.partitions, headers, short,
                                     write_to)
            else:
                writes = _bag_results(bag, settings, args.partitions, short, write_to)
            with get_task_stream(client) as ts:
                done = dask.compute(*writes)
            stream = ts.data
            peaks = client.run(_peak_mb) if args.timings else {}
    except Exception as e:  # the cluster or a task failed: nothing is half-said
        print("%s: the run failed: %s: %s" % (prog, type(e).__name__, e), file=sys.stderr)
        return EX_SOFTWARE
    finally:
        if cluster is not None:
            cluster.close()
    files_written = len(done)
    done = list(done) + checked
    rejected = [r for d in done for r in d["rejected"]]
    order = {f: i for i, f in enumerate(short)}
    rejected.sort(key=lambda r: (order.get(r["file"], len(order)), r["line"] or 0))
    notes = []
    for d in [{"notes": head_notes}] + done:
        for n in d["notes"]:
            if n not in notes:
                notes.append(n)
    with open(os.path.join(out, "rejected.ndjson"), "w", encoding="utf-8") as f:
        for r in rejected:
            f.write(json.dumps(r) + "\n")
    for n in notes:  # as batch writes them
        print(n, file=sys.stderr)
    for r in rejected:
        print(r["message"], file=sys.stderr)
    if args.timings:
        for k, v in _timings(stream).items():
            print("%s: timing: %-40s %9.2f s" % (prog, k, v), file=sys.stderr)
        for w, mb in sorted(peaks.items()):
            print("%s: timing: peak memory of worker %s: %.0f MB" % (prog, w, mb),
                  file=sys.stderr)
    rows = sum(d["rows"] for d in done)
    nrej = sum(d["rows_rejected"] for d in done)
    print("%s: %d rows read, %d patients reported, %d rows rejected; %d report files in %s"
          % (prog, rows, sum(d["patients"] for d in done), nrej, files_written, out),
          file=sys.stderr)
    return EX_DATAERR if nrej else 0


if __name__ == "__main__":
    # the functions the workers run must be osteotrack.dask's, not __main__'s
    from osteotrack.dask import main as _main
    sys.exit(_main())
