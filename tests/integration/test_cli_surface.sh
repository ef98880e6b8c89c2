#!/usr/bin/env bash
# tests/integration/test_cli_surface.sh - the command line's escape hatches, all fed by one
# command table (cli/commands.def, cli/options.def): help within 80 columns naming every command,
# COMMAND --help / -h with usage, every option and an example, --version, global options before
# or after the command, "did you mean" for typos, advice for a QUERY the shell split, and the
# man page generated from the same table.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
V=$VBADMIN

t_run "$V" help
t_is "$RC" 0 "help exits 0"
t_is "$(printf '%s\n' "$OUT" | awk 'length($0) > 80' | wc -l)" 0 "help: no line over 80 columns"
HELP=$OUT
commands=$(sed -n 's/^CLI_COMMAND("\([^"]*\)".*/\1/p' "$ROOT/cli/commands.def")
t_ok "$([ "$(printf '%s\n' "$commands" | wc -l)" -ge 14 ]; echo $?)" "commands.def lists the commands"
missing=
for c in $(printf '%s\n' "$commands" | tr ' ' '_'); do
	c=${c//_/ }
	printf '%s\n' "$HELP" | grep -q "^  $c  " || missing="$missing [$c]"
	t_run "$V" $c --help
	[ "$RC" = 0 ] && printf '%s' "$OUT" | grep -q "^usage: vbadmin $c" && printf '%s' "$OUT" | grep -q "^Example:" &&
		[ "$(printf '%s\n' "$OUT" | awk 'length($0) > 80' | wc -l)" = 0 ] || missing="$missing [$c --help]"
done
t_is "$missing" "" "help names every command (ddl apply too); each COMMAND --help exits 0 with usage and example, within 80 columns"

t_run "$V" search --help
t_is "$RC" 0 "search --help exits 0"
t_has "$OUT" "usage: vbadmin search [OPTIONS] QUERY" "search --help: usage"
t_has "$OUT" 'vbadmin search --table metrics --top 5 "revenue by country"' "search --help: one example"
want=$(sed -n 's/^CLI_OPTION("search", *"\([^"]*\)".*"[^"]*")$/\1/p' "$ROOT/cli/options.def")
lacking=
for o in $want; do printf '%s' "$OUT" | grep -q -- "--$o" || lacking="$lacking --$o"; done
t_is "$lacking" "" "search --help lists every option of options.def"
t_run "$V" search -h
t_is "$RC" 0 "search -h exits 0 too"

t_run "$V" --version
t_is "$RC" 0 "--version exits 0"
t_has "$OUT" "vbadmin 0." "--version: vbadmin's version"
t_has "$OUT" "plugin ABI $(sed -n 's/^#define VB_ABI_VERSION \([0-9]*\).*/\1/p' "$ROOT/backends/vb.h")" "--version: the plugin ABI of backends/vb.h"
t_has "$OUT" "backend embedded" "--version: the built-in backend and its version"
t_has "$OUT" "backend pgvector" "--version: the pgvector plugin and its version"

steps() { printf '%s\n' "$1" | awk '/^\[/ { print $1, $2 }'; }
# a namespace that exists (a read-only check never creates one: issue 14)
"$V" --namespace demo bootstrap-kb --components semantic_model --semantic_yaml "$ROOT/tests/data/kb_small.yaml" >/dev/null 2>&1
t_run "$V" check --namespace demo
A_RC=$RC A_STEPS=$(steps "$OUT")
t_ok "$([ "$RC" != 2 ]; echo $?)" "check --namespace demo: the global option after the command is accepted"
t_run "$V" --namespace demo check
t_is "$A_RC:$A_STEPS" "$RC:$(steps "$OUT")" "check --namespace demo behaves as --namespace demo check (exit code, every step)"
t_has "$OUT" "namespace demo" "and works on namespace demo"

t_run "$V" chek
t_is "$RC" 2 "chek exits 2"
t_has "$ERR" "did you mean 'check'?" "chek: did you mean check"
t_run "$V" search --tpo 3 revenue
t_is "$RC" 2 "an unknown option exits 2"
t_has "$ERR" "did you mean --top?" "--tpo: did you mean --top"
t_run "$V" --namspace demo check
t_is "$RC" 2 "an unknown global option exits 2"
t_has "$ERR" "did you mean --namespace?" "--namspace: did you mean --namespace"

t_run "$V" search revenue by country
t_is "$RC" 2 "a QUERY split over several arguments exits 2"
t_has "$ERR" 'quote it: vbadmin search "revenue by country"' "the advice quotes the whole query"
t_run "$V" search revenue --top 2
t_is "$RC" 0 "search revenue --top 2: an option after QUERY is an option"

t_is "$("$V" help --man | diff - "$ROOT/docs/vbadmin.1" >/dev/null; echo $?)" 0 \
	"docs/vbadmin.1 is what the command table generates (scripts/gen-docs.sh)"
MAN=$(MANWIDTH=80 man -l "$ROOT/docs/vbadmin.1" 2>&1)
t_has "$MAN" "ddl apply [--dry-run] [--yes]" "man -l docs/vbadmin.1 renders the commands"
t_has "$MAN" "EXIT STATUS" "the man page has the exit codes"
t_lacks "$MAN" "warning:" "man renders it without warnings"
t_has "$(sed -n '/^install:/,/^$/p' "$ROOT/Makefile")" "docs/vbadmin.1" "make install installs the man page"
t_done
