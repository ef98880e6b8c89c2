#!/usr/bin/env bash
# scripts/check-layers.sh - the layer rule of design.md, enforced on every #include:
# curses/readline only in tui/, libpq only in backends/pgvector/, sqlite3 only in backends/embedded/,
# and no lower layer includes a higher one.
cd "$(dirname "$0")/.."
bad=0
check() { # pattern, allowed-dir-regex, what
	local hits
	hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)" --include='*.c' --include='*.h' \
		tui engine backends ddl tests bench 2>/dev/null | grep -vE "^($2)" )
	if [ -n "$hits" ]; then
		echo "check-layers: $3:"; echo "$hits" | sed 's/^/  /'; bad=1
	fi
}
check 'n?curses(w)?\.h|ncursesw/|readline/|term\.h|panel\.h|menu\.h|form\.h' 'tui/|tests/' 'curses/readline outside tui/'
check 'libpq-fe\.h|libpq/|postgresql/' 'backends/pgvector/|tests/|bench/' 'libpq outside backends/pgvector/'
check 'sqlite3\.h' 'backends/embedded/|tests/|bench/' 'sqlite3 outside backends/embedded/'
check '\.\./tui/|tui/' 'tui/|tests/' 'a lower layer includes tui/'
check '(\.\./)+engine/|engine/' 'tui/|engine/|tests/|bench/' 'backends/ or ddl/ include engine/'
check '\.\./embedded/|embedded/' 'backends/embedded/|backends/registry|tests/' 'something includes the embedded backend directly'
if [ $bad -eq 0 ]; then echo "check-layers: ok"; fi
exit $bad
