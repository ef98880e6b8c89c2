#!/usr/bin/env bash
# tests/integration/test_layers.sh - the layer rule (scripts/check-layers.sh, docs/architecture.md)
# holds on the tree, and the checker fails when a forbidden include, a backend slot call or SQL
# text is injected (each into a copy of the sources).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
CHECK="$ROOT/scripts/check-layers.sh"

t_run bash "$CHECK" "$ROOT"
t_is "$RC" 0 "the tree follows the layer rule"
t_has "$OUT" "check-layers: ok" "check-layers says ok"

# inject FILE LINE WHAT: a copy of the sources with LINE appended to FILE must fail the check
inject() {
	local copy="$T_TMP/copy.$T_N"
	mkdir -p "$copy"
	(cd "$ROOT" && cp -r cli tui engine config kb backends ddl "$copy/")
	printf '%s\n' "$2" >>"$copy/$1"
	t_run bash "$CHECK" "$copy"
	t_is "$RC" 1 "$3: the check fails"
	t_has "$OUT" "$1" "$3: naming the file"
	rm -rf "$copy"
}
inject engine/search.c '#include "../backends/pgvector/pgv.h"' "engine includes pgvector's private header (libpq)"
inject kb/semantic.c '#include "../backends/embedded/emb.h"' "kb includes the embedded store's private header"
inject tui/app.c '#include <libpq-fe.h>' "tui includes libpq"
inject engine/engine.c '#include <sqlite3.h>' "engine includes sqlite3"
inject cli/cli_check.c '#include <curses.h>' "cli includes curses"
inject config/config.c '#include "../engine/engine.h"' "config includes the engine"
inject cli/cli_search.c '#include "../backends/vb_sql.h"' "a front end includes a backend header beyond the public interface"
inject tui/screen_search.c 'static int f(struct engine *e) { return e->ops->query(e->h, "x", 0, NULL, NULL, NULL); }' \
	"the console calls a backend slot"
inject cli/cli_migrate.c 'static int f(struct engine *e) { return e->ops->txn_begin(e->h, NULL); }' \
	"the CLI calls a slot (the slot list is read from struct vb_ops, so every slot counts)"
inject cli/cli_index.c 'static const char *q = "SELECT id FROM semantic_model";' "the CLI holds SQL text"
t_done
