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
check "report: 15 commune rows" test "$(grep -oE '<tr><td class="n">[0-9]+</td><td></td><td>Xã (TH|KM|CL)-[0-9]</td>' "$work/report.dom" | wc -l)" -eq 15
check "report: no external resource" lacks "$work/report.html" "src="
check "report: no stylesheet link" lacks "$work/report.html" "<link"

if ! render "$work/injection.html" >"$work/injection.dom" "$work/injection.log"; then
    echo "FAIL: $browser could not render injection.html:"; tail -5 "$work/injection.log"; exit 1
fi
check "injection: the data's script did not run" lacks "$work/injection.log" "ntm-injected"
check "injection: no script element" lacks "$work/injection.dom" "<script"
check "injection: shown as text" has "$work/injection.dom" "&lt;script&gt;console.error('ntm-injected')&lt;/script&gt;"
check "injection: markup in a group name is text" has "$work/injection.dom" '&lt;b&gt;Huyện&lt;/b&gt; "X" &amp; Y'

echo "browser: $pass passed, $fail failed"
[ "$fail" = 0 ]
