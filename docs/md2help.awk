# md2help.awk: the --help text of one command, from its section
# "### osteotrack CMD" of docs/osteotrack.1.md (the dialect of md2man.awk),
# as the lines of a C string literal to #include in src/cli/cmd_CMD.c:
#   awk -v cmd=compare -f docs/md2help.awk docs/osteotrack.1.md > help_compare.inc
# -v c=0 prints the plain text instead (to read it).
# POSIX awk, like md2man.awk (same output from mawk, gawk and gawk --posix).
#
# The section's first literal block is the usage ("Usage: " + its lines);
# paragraphs are wrapped at 79 columns; a paragraph that ends with ':' and
# is followed by a list heads it; terms and their definitions are two columns
# (the definition at column 24); other literal blocks are indented by two.
# Inline marks are dropped: `code` and *arg* become plain text.

function plain(s) {
    gsub(/`/, "", s)
    gsub(/\*\*/, "", s)
    while (match(s, /\*[^* ][^*]*\*/))
        s = substr(s, 1, RSTART - 1) substr(s, RSTART + 1, RLENGTH - 2) substr(s, RSTART + RLENGTH)
    return s
}

function rep(s, from, to,    out, i) {     # every `from` in s by `to`, literally
    out = ""
    while ((i = index(s, from)) > 0) {
        out = out substr(s, 1, i - 1) to
        s = substr(s, i + length(from))
    }
    return out s
}

function emit(line) {
    sub(/[ \t]+$/, "", line)
    if (!c) {
        print line
        return
    }
    line = rep(rep(line, "\\", "\\\\"), "\"", "\\\"")
    printf "    \"%s\\n\"\n", line
    lines++
}

# Words of `text` in lines of at most `width`, the first after `first`, the
# others after `indent`.
function wrap(text, first, indent, width,    n, w, i, line) {
    n = split(text, w, /[ \t]+/)
    line = first
    for (i = 1; i <= n; i++) {
        if (w[i] == "")
            continue
        if (line != first && line != indent && length(line) + 1 + length(w[i]) > width) {
            emit(line)
            line = indent
        }
        line = (line == first || line == indent) ? line w[i] : line " " w[i]
    }
    if (line != first && line != indent)
        emit(line)
}

function pad(n,    s) { s = ""; while (n-- > 0) s = s " "; return s }

function flush(    t) {
    if (kind == "para") {
        if (gap) emit("")
        wrap(plain(buf), "", "", 79)
        gap = (buf ~ /:$/ && length(buf) < 40) ? 0 : 1   # a heading: its list follows
    } else if (kind == "def") {
        t = "  " plain(term)
        if (length(t) <= 21)
            wrap(plain(buf), t pad(23 - length(t)), pad(23), 79)
        else {
            emit(t)
            wrap(plain(buf), pad(23), pad(23), 79)
        }
        gap = 1
    } else if (kind == "item") {
        wrap(plain(buf), "  - ", "    ", 79)
        gap = 1
    }
    kind = ""
    buf = ""
}

BEGIN {
    if (c == "") c = 1
    if (cmd == "") { print "md2help: -v cmd=NAME is needed" > "/dev/stderr"; exit 2 }
    want = "### osteotrack " cmd
}

# Only the command's section.
/^#/ {
    if (insec) { flush(); insec = 0; done = 1 }
    if ($0 == want && !done) { insec = 1; gap = 0; usage_done = 0; listed = 0 }
    next
}
!insec { next }

/^```/ {
    if (!incode) {
        flush()
        incode = 1
        codeline = 0
        # the first block before any text is the usage
        is_usage = !usage_done && !said
        if (!is_usage && gap) emit("")
        next
    }
    incode = 0
    usage_done = 1
    said = 1
    gap = 1
    next
}
incode {
    codeline++
    if (is_usage)
        emit((codeline == 1 ? "Usage: " : "       ") $0)
    else
        emit("  " $0)
    next
}

/^[ \t]*$/ { flush(); held = ""; next }

# A held line followed by ": " is a term.
/^: / {
    if (held != "") {
        # the held line was put into a paragraph: take it back
        if (kind == "para") {
            buf = substr(buf, 1, length(buf) - length(held))
            sub(/[ \t]+$/, "", buf)
            if (buf == "") kind = ""
        }
        flush()
        kind = "def"
        term = held
        buf = substr($0, 3)
        held = ""
        said = 1
        next
    }
}

/^- / { flush(); kind = "item"; buf = substr($0, 3); said = 1; held = ""; next }

/^  / && (kind == "def" || kind == "item") { buf = buf " " $0; next }

{
    if (kind == "def" || kind == "item")
        flush()
    if (kind == "")
        kind = "para"
    buf = (buf == "") ? $0 : buf " " $0
    held = $0
    said = 1
}

END {
    if (insec) flush()
    if (!insec && !done) {
        print "md2help: no section '" want "'" > "/dev/stderr"
        exit 1
    }
    if (c && lines == 0) {
        print "md2help: section '" want "' is empty" > "/dev/stderr"
        exit 1
    }
}
