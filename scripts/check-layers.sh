#!/usr/bin/env bash
# scripts/check-layers.sh - the layer rule of docs/architecture.md, enforced on every #include:
# curses/readline only in tui/, libpq only in backends/pgvector/, sqlite3 only in backends/embedded/,
# and no lower layer includes a higher one.
cd "$(dirname "$0")/.."
bad=0
SRC_DIRS="cli tui engine config kb backends ddl tests bench"
check() { # pattern, allowed-dir-regex, what
	local hits
	# shellcheck disable=SC2086
	hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)" --include='*.c' --include='*.h' \
		$SRC_DIRS 2>/dev/null | grep -vE "^($2)" )
	if [ -n "$hits" ]; then
		echo "check-layers: $3:"; echo "$hits" | sed 's/^/  /'; bad=1
	fi
}
check 'n?curses(w)?\.h|ncursesw/|readline/|term\.h|panel\.h|menu\.h|form\.h' 'tui/|tests/' 'curses/readline outside tui/'
check 'libpq-fe\.h|libpq/|postgresql/' 'backends/pgvector/|tests/|bench/' 'libpq outside backends/pgvector/'
check 'sqlite3\.h' 'backends/embedded/|tests/|bench/' 'sqlite3 outside backends/embedded/'
check '(\.\./)*tui/' 'tui/|cli/main\.c|tests/' 'a lower layer includes tui/'
check '(\.\./)*cli/' 'cli/|tui/|tests/' 'a lower layer includes cli/'
check '(\.\./)*engine/' 'tui/|cli/|engine/|tests/|bench/' 'config/, kb/, backends/ or ddl/ include engine/'
check '(\.\./)*kb/' 'tui/|cli/|engine/|kb/|tests/|bench/' 'config/, backends/ or ddl/ include kb/'
check '(\.\./)*config/' 'tui/|cli/|engine/|kb/|config/|tests/|bench/' 'backends/ or ddl/ include config/'
check '\.\./embedded/|embedded/' 'backends/embedded/|backends/registry|tests/' 'something includes the embedded backend directly'
if [ $bad -eq 0 ]; then echo "check-layers: ok"; fi
exit $bad
