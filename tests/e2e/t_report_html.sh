#!/usr/bin/env bash
# report.html in a real browser: a page with 100,000 messages (and as many
# timeline events) is written in bounded memory, opened in headless
# Chromium, and read back through the DOM after its script ran: the device,
# every custody entry, every artifact count, the first page of the tables,
# paging to page 1,000, a search and a sort driven through the address; the
# hostile message stays text; a screenshot is taken.
. "$(dirname "$0")/lib.sh"
PAGE_PROG="$B/tests/test_report_html"
CHROMIUM=${IFK_CHROMIUM:-/usr/bin/chromium}

[ -x "$CHROMIUM" ] || fail "Chromium is missing ($CHROMIUM): scripts/deps.sh installs it" \
	"(apt-get install chromium fonts-dejavu-core); this test needs it"
[ -x "$PAGE_PROG" ] || fail "$PAGE_PROG is not built"

# page ROWS FILE: writes the page, prints its stats line into stats.txt
page() {
	IFK_HTML_ROWS=$1 IFK_HTML_OUT="$T/$2" timeout 300 "$PAGE_PROG" >stats.txt 2>&1 ||
		{ cat stats.txt >&2; fail "test_report_html could not write $2"; }
	cat stats.txt
}
stat_of() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" stats.txt; }

page 1000 small.html
small_rss=$(stat_of peak_rss_kb)
page 100000 report.html
big_rss=$(stat_of peak_rss_kb)
big_bytes=$(stat_of bytes)
[ "$big_bytes" -gt 40000000 ] || fail "the 100,000-row page is only $big_bytes bytes"
if grep -q '^IFK_SANITIZE:BOOL=ON' "$B/CMakeCache.txt" 2>/dev/null; then
	ok "100,000 rows written (peak RSS ${big_rss} KiB under ASan: the bound is checked in the plain build)"
else
	[ "$big_rss" -lt $((small_rss + 16384)) ] ||
		fail "peak RSS grows with the rows: ${small_rss} KiB for 1,000, ${big_rss} KiB for 100,000"
	[ "$big_rss" -lt 65536 ] || fail "peak RSS ${big_rss} KiB writing 100,000 rows"
	ok "100,000 rows written in $(stat_of seconds) s, $((big_bytes / 1000000)) MB, peak RSS ${big_rss} KiB (${small_rss} KiB for 1,000 rows)"
fi

# dom OUT [FRAGMENT]: the DOM of report.html after its script ran
dom() {
	local t0=$SECONDS
	timeout 180 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/profile" --dump-dom "file://$T/report.html${2:-}" \
		>"$1" 2>chromium.log || { tail -5 chromium.log >&2; fail "chromium --dump-dom failed"; }
	[ -s "$1" ] || fail "chromium dumped no DOM"
	echo "# chromium --dump-dom ${2:-(no fragment)}: $((SECONDS - t0)) s"
}

# check MODE DOM: reads the dumped DOM against the model (report.html.model.json)
check() {
	python3 - "$1" "$2" "$T/report.html.model.json" <<'EOF'
import html.parser, json, sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.a, self.kids, self.parent = tag, dict(attrs), [], parent

    def text(self):
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)

    def iter(self):
        yield self
        for k in self.kids:
            if not isinstance(k, str):
                yield from k.iter()

    def classes(self):
        return (self.a.get("class") or "").split()


class Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", [], None)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None:
            self.cur = n.parent

    def handle_data(self, d):
        self.cur.kids.append(d)


mode, path, model_path = sys.argv[1:4]
p = Parser()
p.feed(open(path, encoding="utf-8").read())
root, m = p.root, json.load(open(model_path, encoding="utf-8"))


def by_id(i):
    found = [n for n in root.iter() if n.a.get("id") == i]
    assert len(found) == 1, f"{len(found)} elements with id {i}"
    return found[0]


def table_rows(key):
    sec = by_id("table-" + key)
    body = [n for n in sec.iter() if n.tag == "tbody"]
    assert len(body) == 1, f"table {key} was not rendered by the script"
    return sec, [n for n in body[0].kids if not isinstance(n, str) and n.tag == "tr"]


def ids(rows):
    return [int(r.a["data-row-id"]) for r in rows]


if mode == "load":
    d = m["device"]
    assert by_id("device-serial").text() == d["serial"], by_id("device-serial").text()
    want = f'{d["product_name"]} ({d["product_type"]})'
    assert by_id("device-model").text() == want, by_id("device-model").text()
    entries = [n for n in by_id("custody").iter() if n.tag == "tr" and "custody-entry" in n.classes()]
    model_entries = m["custody"]["entries"]
    assert len(entries) == len(model_entries), f"{len(entries)} custody rows, model has {len(model_entries)}"
    for row, e in zip(entries, model_entries):
        assert row.a["data-hash"] == e["hash"] and e["hash"] in row.text(), e["seq"]
        assert e["time"] in row.text() and e["action"] in row.text() and e["result"] in row.text()
    summary = by_id("artifacts-summary")
    for a in m["parse"]["artifacts"]:
        rows = [n for n in summary.iter() if n.tag == "tr" and n.a.get("data-artifact") == a["name"]]
        assert len(rows) == 1, a["name"]
        assert rows[0].a["data-rows"] == str(a["rows"]), (a["name"], rows[0].a["data-rows"])
        cell = [n for n in rows[0].iter() if "c-rows" in n.classes()][0]
        assert cell.text() == f'{a["rows"]:,}', (a["name"], cell.text())
        for s in a["sources"]:
            assert s["sha256"] in rows[0].text(), (a["name"], "source hash not shown")
    sec, rows = table_rows("sms_messages")
    assert sec.a["data-page"] == "1" and sec.a["data-pages"] == "1000", sec.a
    assert ids(rows) == list(range(1, 101)), ids(rows)[:5]
    assert all(n.a.get("class") == "prov" for n in (r.kids[-1] for r in rows)), "no provenance column"
    hostile = "</script><script>document.title='PWNED'</script><!--<script> \u2028 \\xff \"'&<>"
    assert any(td.text() == hostile for td in rows[1].iter() if td.tag == "td"), "hostile text not shown as text"
    title = [n for n in root.iter() if n.tag == "title"][0].text()
    assert "PWNED" not in title and title.startswith("Report: case "), title
    tl, tl_rows = table_rows("timeline")
    assert tl.a["data-total"] == str(m["parse"]["timeline_events"]) and len(tl_rows) == 100
    warn = [n.text() for n in root.iter() if "dt-warn" in n.classes() and n.text()]
    assert not warn, warn
    ms = [n.a.get("data-render-ms") for n in root.iter() if n.tag == "html"][0]
    print(f"# the script rendered every table in {ms} ms (after the browser parsed the page)")
elif mode == "page1000":
    sec, rows = table_rows("sms_messages")
    assert sec.a["data-page"] == "1000", sec.a
    assert ids(rows) == list(range(99901, 100001)), ids(rows)[:5]
elif mode == "search":
    sec, rows = table_rows("sms_messages")
    assert sec.a["data-shown"] == "1" and ids(rows) == [4242], (sec.a, ids(rows))
    assert any(td.text() == "Message 4242: are we still on for lunch at 7?" for td in rows[0].iter())
elif mode == "sort":
    sec, rows = table_rows("sms_messages")
    assert ids(rows)[:3] == [100000, 99999, 99998], ids(rows)[:3]
    cols = [n for n in sec.iter() if n.tag == "th" and n.a.get("aria-sort") == "descending"]
    assert [c.a["data-col"] for c in cols] == ["date"], cols
elif mode == "row":
    sec, rows = table_rows("sms_messages")
    assert ids(rows) == [77], ids(rows)
EOF
}

dom dom.html
check load dom.html || fail "the rendered page does not show what the model holds"
ok "the DOM shows the device, every custody entry with its hash, every artifact count and source hash, and the first page of the tables; the hostile message is text"

dom page.html '#sms_messages:page=1000'
check page1000 page.html || fail "#sms_messages:page=1000 did not show rows 99,901-100,000"
ok "paging to page 1,000 of 1,000 (rows 99,901-100,000) from the address"

dom search.html '#sms_messages:q=Message%204242%3A'
check search search.html || fail "the search did not find exactly message 4242"
dom sort.html '#sms_messages:sort=date&dir=desc'
check sort sort.html || fail "sorting by date, descending, did not put message 100,000 first"
dom row.html '#sms_messages:row=77'
check row row.html || fail "#sms_messages:row=77 (a timeline link) did not show row 77 alone"
ok "a search, a sort by date and a timeline row link, each from the address"

timeout 180 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$T/profile" --screenshot="$T/report.png" --window-size=1280,2000 \
	"file://$T/report.html" >chromium.log 2>&1 || { tail -5 chromium.log >&2; fail "chromium --screenshot failed"; }
[ -f report.png ] || fail "no screenshot"
[ "$(head -c 8 report.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
size=$(stat -c %s report.png)
[ "$size" -gt 10240 ] || fail "the screenshot is only $size bytes (a blank page?)"
if [ -n "${IFK_HTML_SCREENSHOT:-}" ]; then cp report.png "$IFK_HTML_SCREENSHOT"; fi
ok "a 1280x2000 screenshot ($size bytes)"
