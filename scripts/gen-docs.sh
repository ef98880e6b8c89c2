#!/usr/bin/env bash
# scripts/gen-docs.sh - regenerate the documents derived from .def files (make docs):
#   docs/troubleshooting.md  from engine/advice.def (via `vbadmin advice --markdown`)
#   docs/vbadmin.1           from cli/commands.def and cli/options.def (via `vbadmin help --man`)
#   docs/console.md          its screenshots, from the golden screens tests/tui/expected/*.screen
# Builds ./vbadmin first when it is missing or older than the catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VBADMIN:-./vbadmin}
if [ ! -x "$bin" ] || [ engine/advice.def -nt "$bin" ] || [ engine/advice.c -nt "$bin" ] || [ cli/commands.def -nt "$bin" ] || [ cli/options.def -nt "$bin" ]; then
	make --no-print-directory all >/dev/null
	bin=./vbadmin
fi
mkdir -p docs
"$bin" advice --markdown >docs/troubleshooting.md.tmp
mv docs/troubleshooting.md.tmp docs/troubleshooting.md
echo "gen-docs: docs/troubleshooting.md ($(grep -c '^## VEC-' docs/troubleshooting.md) entries)"
"$bin" help --man >docs/vbadmin.1.tmp
mv docs/vbadmin.1.tmp docs/vbadmin.1
echo "gen-docs: docs/vbadmin.1 (man page, from cli/commands.def and cli/options.def)"
# docs/console.md's screenshots are the golden screens: the ```text block after each
# "<!-- golden: NAME ... -->" line is replaced by tests/tui/expected/NAME.screen
awk '
	/^<!-- golden: [a-z_]+ / { name = $3; print; getline; print; file = "tests/tui/expected/" name ".screen"
		while ((getline line < file) > 0) print line
		close(file); skip = 1; n++; next }
	skip && /^```$/ { skip = 0 }
	!skip { print }
	END { printf "gen-docs: docs/console.md (%d screenshots from tests/tui/expected)\n", n > "/dev/stderr" }
' docs/console.md >docs/console.md.tmp
mv docs/console.md.tmp docs/console.md
