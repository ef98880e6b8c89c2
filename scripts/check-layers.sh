#!/usr/bin/env bash
# scripts/check-layers.sh [ROOT] - the layer rule of docs/architecture.md, enforced on every
# #include: curses/readline only in tui/, libpq only in backends/pgvector/, sqlite3 only in
# backends/embedded/, libcrypto and json-c only in kb/embed_answer.c, no lower layer includes a higher one,
# a backend's private headers stay in its folder, and the front ends (cli/, tui/) include from backends/ only the public interface.
# Also: the front ends call no backend slot and hold no SQL statement (each use case is one
# engine function).  Run by `make check-layers` and by tests/integration/test_layers.sh.
cd "${1:-$(dirname "$0")/..}" || exit 2
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
check 'openssl/' 'kb/embed_answer\.c|tests/' 'libcrypto outside kb/embed_answer.c (base64 of embeddings answers)'
check 'json-c/|json\.h>' 'kb/embed_answer\.c|tests/' 'json-c outside kb/embed_answer.c (jansson is the JSON library elsewhere)'
check '(\.\./)*tui/' 'tui/|cli/main\.c|tests/' 'a lower layer includes tui/'
check '(\.\./)*cli/' 'cli/|tui/|tests/' 'a lower layer includes cli/'
check '(\.\./)*engine/' 'tui/|cli/|engine/|tests/|bench/' 'config/, kb/, backends/ or ddl/ include engine/'
check '(\.\./)*kb/' 'tui/|cli/|engine/|kb/|tests/|bench/' 'config/, backends/ or ddl/ include kb/'
check '(\.\./)*config/' 'tui/|cli/|engine/|kb/|config/|tests/|bench/' 'backends/ or ddl/ include config/'
check '\.\./embedded/|embedded/' 'backends/embedded/|backends/registry|tests/' 'something includes the embedded backend directly'
# a backend's private headers: only its own folder (the registry links the built-in embedded one;
# unit tests, fuzzers and benchmarks test the internals)
check '(\.\./)*(backends/)?pgvector/[a-z_]+\.h|pgv[a-z_]*\.h' 'backends/pgvector/|tests/|bench/' 'a private pgvector header outside backends/pgvector/'
check '(\.\./)*(backends/)?embedded/[a-z_]+\.h|emb\.h|embedded\.h' 'backends/embedded/|backends/registry\.c|tests/|bench/' 'a private embedded header outside backends/embedded/'
check '(\.\./)*(backends/)?lancedb/[a-z_]+\.h|lance[a-z_]*\.h' 'backends/lancedb/|backends/registry\.c|tests/|bench/' 'a private lancedb header outside backends/lancedb/'
# the front ends: only the public interface of backends/ (vb.h, vb_util.h, registry.h, the contract suite)
hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./)+backends/' cli/*.[ch] tui/*.[ch] 2>/dev/null |
	grep -vE 'backends/(vb\.h|vb_util\.h|registry\.h|contract/contract\.h)"')
if [ -n "$hits" ]; then echo "check-layers: a front end includes a backend header beyond the public interface:"; echo "$hits" | sed 's/^/  /'; bad=1; fi
# the front ends call no backend slot: every function pointer of struct vb_ops (backends/vb.h),
# read from the header so a new slot is covered without an edit here; version() is metadata
SLOTS=$(sed -n '/^struct vb_ops {/,/^};/p' backends/vb.h | sed -n 's/.*(\*\([a-z_]*\))(.*/\1/p' |
	grep -vx version | paste -sd '|')
if [ -z "$SLOTS" ]; then echo "check-layers: no slots found in struct vb_ops of backends/vb.h"; exit 2; fi
hits=$(grep -nE -- "->($SLOTS)\(" cli/*.[ch] tui/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then echo "check-layers: a front end calls a backend slot (use an engine function):"; echo "$hits" | sed 's/^/  /'; bad=1; fi
# ... and writes no SQL statement
SQL='SELECT [^"]* FROM|INSERT INTO|DELETE FROM|UPDATE [a-z_."]+ SET|CREATE (TABLE|INDEX|EXTENSION|SCHEMA)|ALTER (TABLE|EXTENSION)|DROP (TABLE|INDEX|EXTENSION|SCHEMA)|GRANT [A-Z, ]+ ON|EXPLAIN (ANALYZE |SELECT)'
hits=$(grep -nE "\"[^\"]*($SQL)" cli/*.[ch] tui/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then echo "check-layers: SQL text in a front end (the engine writes SQL):"; echo "$hits" | sed 's/^/  /'; bad=1; fi
if [ $bad -eq 0 ]; then echo "check-layers: ok"; fi
exit $bad
