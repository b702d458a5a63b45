# md2man.awk: turns the small Markdown dialect of docs/*.md into a man page
# (roff, man macros). POSIX awk, no gensub or 3-argument match (same output
# from mawk, gawk and gawk --posix). Usage:
#   awk -v version=0.1.0 -f docs/md2man.awk docs/osteotrack.1.md > osteotrack.1
#
# The dialect, one construct a line:
#   # NAME(S) -- one-line description   first line: .TH and the NAME section
#   ## HEADING                          .SH
#   ### Heading                         .SS
#   text lines                          a paragraph (blank line ends it)
#   - item                              a bullet; indented lines continue it
#   a line of text                      a term, when the next line starts
#   : definition                        with ": " (.TP); indented lines continue
#   ```                                 a literal block up to the next ```
# Inline: `code` is bold (its hyphens are \-, so options copy and paste),
# **bold**, *italic*. Backslashes are escaped; a line starting with . or '
# is protected with \&.

function rep(s, from, to,    out, i) {     # every `from` in s by `to`, literally
    out = ""
    while ((i = index(s, from)) > 0) {
        out = out substr(s, 1, i - 1) to
        s = substr(s, i + length(from))
    }
    return out s
}

function esc(s) { return rep(s, "\\", "\\e") }

function emph(s,    pre) {                  # **bold**, then *italic*
    while (match(s, /\*\*[^*]+\*\*/)) {
        pre = substr(s, 1, RSTART - 1)
        s = pre "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
    }
    while (match(s, /\*[^* ][^*]*\*/)) {
        pre = substr(s, 1, RSTART - 1)
        s = pre "\\fI" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
    }
    return s
}

function inline(s,    out, i, j, rest) {
    s = esc(s)
    out = ""
    while ((i = index(s, "`")) > 0) {
        rest = substr(s, i + 1)
        j = index(rest, "`")
        if (j == 0)
            break
        out = out emph(substr(s, 1, i - 1)) "\\fB" rep(substr(rest, 1, j - 1), "-", "\\-") "\\fR"
        s = substr(rest, j + 1)
    }
    return out emph(s)
}

function line_out(s) {                      # one line of text, protected
    if (s ~ /^[.']/)
        s = "\\&" s
    print s
}

function text(s) {
    sub(/^[ \t]+/, "", s)
    line_out(inline(s))
}

function para_line(s) {                    # a line of a paragraph
    if (state != "para") {
        print ".PP"
        state = "para"
    }
    text(s)
}

function upper_quoted(s) { return "\"" esc(s) "\"" }

BEGIN { state = "start"; pending_set = 0; in_code = 0 }

# A text line is held until the next one tells whether it is a term.
pending_set {
    pending_set = 0
    if ($0 ~ /^: /) {
        print ".TP"
        line_out(inline(pending))
        text(substr($0, 3))
        state = "item"
        next
    }
    para_line(pending)
}

# Literal blocks.
/^```/ {
    if (!in_code) {
        print ".PP"
        print ".RS 2"
        print ".nf"
        in_code = 1
    } else {
        print ".fi"
        print ".RE"
        in_code = 0
        state = "para_end"
    }
    next
}
in_code {
    s = esc($0)
    if (s ~ /^[.']/)
        s = "\\&" s
    print s
    next
}

NR == 1 {
    if ($0 !~ /^# [^ ]+\([0-9]\) -- /) {
        print "md2man: line 1 must be '# name(section) -- description'" > "/dev/stderr"
        exit 1
    }
    head = substr($0, 3)
    i = index(head, "(")
    name = substr(head, 1, i - 1)
    section = substr(head, i + 1, 1)
    desc = substr(head, index(head, " -- ") + 4)
    printf ".TH %s %s \"\" \"osteotrack %s\" \"osteotrack manual\"\n", toupper(name), section, version
    print ".nh"
    print ".ad l"
    print ".SH NAME"
    print esc(name) " \\- " esc(desc)
    next
}

/^## / { print ".SH " upper_quoted(substr($0, 4)); state = "start"; next }
/^### / { print ".SS " upper_quoted(substr($0, 5)); state = "start"; next }

/^[ \t]*$/ { if (state == "para" || state == "item") state = "para_end"; next }

/^- / {
    print ".IP \\(bu 2"
    text(substr($0, 3))
    state = "item"
    next
}

# Indented lines continue a bullet or a definition.
/^  / && state == "item" { text($0); next }

{ pending = $0; pending_set = 1; next }

END {
    if (pending_set)
        para_line(pending)
    if (in_code) {
        print "md2man: unterminated ``` block" > "/dev/stderr"
        exit 1
    }
}
