#!/usr/bin/env bash
# Browser test of `ntm report`: render the fixture province's report in headless Chromium and
# check that the page loads with no console error, loads nothing from the network, shows the
# expected counts, and that markup in the data stays text.
#
# Chromium comes from Debian's packages: installed here when absent if running as root with
# apt-get; otherwise the test is skipped (exit 0) with a message saying why.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=""
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing chromium (Debian package) for the report browser test"
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
               { apt-get update >/dev/null 2>&1 &&
                 apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; }; }; then
            echo "SKIP report browser test: apt-get could not install chromium"
            exit 0
        fi
        browser=chromium
    else
        echo "SKIP report browser test: chromium is not installed and cannot be installed here (needs root and apt-get)"
        exit 0
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ntm() { cargo run --locked --quiet -- "$@"; }

F=tests/fixtures/summary
ntm report -r "$F/ruleset.toml" "$F/communes.csv" --by district --targets "$F/targets.toml" \
    --lang vi -o "$work/report.html"
ntm report -r "$F/ruleset.toml" "$F/injection.csv" --by district --lang en -o "$work/injection.html"
# The example communes under the built-in 2021–2025 set, in Vietnamese: no measure id and
# no English heading may reach the page.
ntm report examples/communes.csv --allow-missing --targets targets-2021-2025 --lang vi \
    -o "$work/vi.html" 2>/dev/null
ntm rules show ntm-2021-2025 --format json >"$work/rules.json"
# A control page: proves that console errors do reach the log this test reads.
printf '<!DOCTYPE html><title>probe</title><script>console.error("ntm-probe")</script>\n' \
    >"$work/probe.html"

# Render one page: the DOM after load on stdout, the browser's log (console messages,
# failed loads) in $2.
render() {
    timeout 60 "$browser" --headless --disable-gpu --no-sandbox --no-first-run --disable-dev-shm-usage \
        --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
        --dump-dom "file://$1" 2>"$2"
}

pass=0
fail=0
check() { # check NAME COMMAND...
    if "${@:2}"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

if ! render "$work/probe.html" >"$work/probe.dom" "$work/probe.log"; then
    echo "FAIL: $browser could not render probe.html:"; tail -5 "$work/probe.log"; exit 1
fi
check "the console probe is seen in the browser log" has "$work/probe.log" "ntm-probe"
check "console messages are marked CONSOLE in the log" has "$work/probe.log" "CONSOLE"

if ! render "$work/report.html" >"$work/report.dom" "$work/report.log"; then
    echo "FAIL: $browser could not render report.html:"; tail -5 "$work/report.log"; exit 1
fi
check "report: no console message" lacks "$work/report.log" "CONSOLE"
check "report: nothing failed to load" lacks "$work/report.log" "Failed to load"
check "report: loaded (title)" has "$work/report.dom" "<title>Báo cáo tổng hợp xây dựng nông thôn mới</title>"
check "report: 15 communes" has "$work/report.dom" '<strong id="communes">15</strong>'
check "report: total NTM 9/15 (60,0%)" has "$work/report.dom" '<td class="n" data-level="standard">9/15 (60,0%)</td>'
check "report: Thanh Hà advanced 2/6 (33,3%)" has "$work/report.dom" '<td class="n" data-level="advanced">2/6 (33,3%)</td>'
check "report: target short by 1" has "$work/report.dom" "còn thiếu 1 xã"
check "report: chart drawn" has "$work/report.dom" '<svg id="chart"'
check "report: 15 commune rows" test "$(grep -oE '<tr><td class="n">[0-9]+</td><td class="code"></td><td class="name">Xã (TH|KM|CL)-[0-9]</td>' "$work/report.dom" | wc -l)" -eq 15
check "report: no external resource" lacks "$work/report.html" "src="
check "report: no stylesheet link" lacks "$work/report.html" "<link"

if ! render "$work/injection.html" >"$work/injection.dom" "$work/injection.log"; then
    echo "FAIL: $browser could not render injection.html:"; tail -5 "$work/injection.log"; exit 1
fi
check "injection: the data's script did not run" lacks "$work/injection.log" "ntm-injected"
check "injection: no script element" lacks "$work/injection.dom" "<script"
check "injection: shown as text" has "$work/injection.dom" "&lt;script&gt;console.error('ntm-injected')&lt;/script&gt;"
check "injection: markup in a group name is text" has "$work/injection.dom" '&lt;b&gt;Huyện&lt;/b&gt; "X" &amp; Y'

if ! render "$work/vi.html" >"$work/vi.dom" "$work/vi.log"; then
    echo "FAIL: $browser could not render vi.html:"; tail -5 "$work/vi.log"; exit 1
fi
check "vi: no console message" lacks "$work/vi.log" "CONSOLE"
check "vi: a shortfall said with its value and requirement" has "$work/vi.dom" \
    "Thu nhập bình quân đầu người khu vực nông thôn: 51 &lt; 55 triệu đồng/người/năm (vùng Đồng bằng sông Hồng, năm 2025)"
check "vi: a long list is folded" has "$work/vi.dom" "<details><summary>18 tiêu chí chưa đạt"
# The page's text as a reader sees it (no markup, no style sheet): no measure id as a word,
# and no English word in a heading, a table head or a summary.
vi_text_check() {
    python3 - "$work/vi.dom" "$work/rules.json" <<'PY'
import html.parser, json, re, sys

dom, rules = open(sys.argv[1], encoding="utf-8").read(), json.load(open(sys.argv[2], encoding="utf-8"))
HEADS = {"h1", "h2", "h3", "th", "summary", "title"}
ENGLISH = ["Annex", "Article", "criterion", "criteria", "indicator", "required", "unverified",
           "standard", "advanced", "model", "Communes", "Commune", "Level", "Total", "Zone",
           "Target", "year column", "needs", "no data", "docs/", "ntm rules"]

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.all, self.heads = [], [], []
    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_data(self, data):
        if "style" in self.stack or "script" in self.stack:
            return
        self.all.append(data)
        if HEADS & set(self.stack):
            self.heads.append(data)

p = Text()
p.feed(dom)
text, heads = " ".join(p.all), " ".join(p.heads)
bad = [m["id"] for m in rules["measures"] if re.search(r"\b%s\b" % re.escape(m["id"]), text)]
bad += ["heading: " + w for w in ENGLISH if re.search(r"\b%s\b" % re.escape(w), heads)]
bad += ["text: " + w for w in ENGLISH[:8] + ["docs/", "ntm rules"] if re.search(r"\b%s\b" % re.escape(w), text)]
for b in bad:
    print("  found", b)
sys.exit(1 if bad else 0)
PY
}
check "vi: no measure id, no English heading or legal word" vi_text_check

echo "browser: $pass passed, $fail failed"
[ "$fail" = 0 ]
