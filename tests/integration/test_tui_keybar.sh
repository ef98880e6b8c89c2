#!/usr/bin/env bash
# tests/integration/test_tui_keybar.sh - the console's key bars live once, in tui/keybar.def,
# with the keys of tui/keymap.def (issue 11 point 4):
#   - every action a screen's code handles is a row of its keybar.def (else no bar and no Help
#     shows it), and every row names an action the screen handles (else the bar promises a key
#     that does nothing);
#   - the bars the console draws (=keybars, every screen and pane at 80 columns) fit 80 columns,
#     end with the help key, show each screen's own actions with the keys keymap.def binds to
#     them (computed here from keymap.def, so a key changed there must change the bar), and name
#     no key that keymap.def does not bind to an action of that screen;
#   - no string literal of tui/*.c and no help of tui/actions.def spells a key name by hand
#     (every text takes it from keymap.def / screens.def: tui_key, tui_screen_key, {name});
#   - rebinding keys in a temp copy of keymap.def and screens.def, and rebuilding the console's
#     tui/ there against this build's other objects, renames the keys in the texts that name
#     them (status messages, titles, the Search hit header, Help, the tab bar).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
VBADMIN=$(cd "$(dirname "$VBADMIN")" && pwd)/$(basename "$VBADMIN")

run="$T_TMP/bars"
mkdir -p "$run/home"
printf '=keybars %s\n' "$run/bars.txt" >"$run/keys"
(cd "$run" && env -i PATH="$PATH" HOME="$run/home" XDG_STATE_HOME="$run/state" XDG_CONFIG_HOME="$run/config" \
	VBADMIN_DATA_DIR=data LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" VBADMIN_PLUGIN_PATH="${VBADMIN_PLUGIN_PATH:-}" \
	VBADMIN_SCRIPT="$run/keys" timeout 60 "$VBADMIN" >"$run/stdout" 2>"$run/stderr")
t_is "$?" 0 "the console dumps its key bars and exits 0"
t_ok "$([ -s "$run/bars.txt" ]; echo $?)" "the dump is not empty"

# The checks, one TAP line each as "ok|not ok<TAB>description".
/usr/bin/python3 - "$ROOT" "$run/bars.txt" >"$run/checks" <<'PY'
import re, sys, glob
root, bars_path = sys.argv[1], sys.argv[2]
src = lambda p: open(f"{root}/{p}").read()
def strip_comments(t):
    return re.sub(r"/\*.*?\*/", "", t, flags=re.S)
out = []
def check(cond, what):
    out.append(("ok" if cond else "not ok") + "\t" + what)

# keymap.def: key names per action, in order
names = {}
for name, act in re.findall(r'KEY_BIND\([^,]+,\s*"([^"]*)",\s*(ACT_\w+)\)', strip_comments(src("tui/keymap.def"))):
    names.setdefault(act, []).append(name)
screens = re.findall(r"SCREEN\((SCR_\w+),\s*(\w+),\s*('.'|0)\)", strip_comments(src("tui/screens.def")))
screen_keys = [k.strip("'") for _, _, k in screens if k != "0"]
goto = f"{screen_keys[0]}-{screen_keys[-1]}"

def printable(n):
    return len(n) == 1 and " " < n < "\x7f"
def shortest(act, raw):
    best = ""
    for n in names.get(act, []):
        if raw and printable(n):
            continue
        if not best or len(n) < len(best):
            best = n
    return best

# keybar.def rows
rows = []
for m in re.finditer(r"^(KEYBAR(?:_RAW|_RL)?)\((.*)\)\s*$", strip_comments(src("tui/keybar.def")), re.M):
    kind, args = m.group(1), [a.strip() for a in re.findall(r'"[^"]*"|[^,]+', m.group(2))]
    screen, pane = args[0], args[1]
    pane = -1 if pane == "TUI_PANE_ANY" else int(pane)
    if kind == "KEYBAR_RL":
        rows.append(dict(screen=screen, pane=pane, raw=True, rl=args[2].strip('"'), label=args[3].strip('"'), acts=[]))
    else:
        rows.append(dict(screen=screen, pane=pane, raw=kind == "KEYBAR_RAW", rl=None, label=args[2].strip('"'), acts=args[3:]))
COMMON = {"ACT_UP", "ACT_DOWN", "ACT_LEFT", "ACT_RIGHT", "ACT_PGUP", "ACT_PGDN", "ACT_HOME", "ACT_END", "ACT_FIND",
          "ACT_FIND_NEXT", "ACT_FIND_PREV", "ACT_BACK", "ACT_QUIT", "ACT_COMMAND", "ACT_CANCEL", "ACT_GOTO__FIRST"}
def row_keys(r):
    if r["rl"]:
        return r["rl"]
    ks = []
    for a in r["acts"]:
        k = goto if a == "ACT_GOTO__FIRST" else shortest(a, r["raw"])
        if k and k not in ks:
            ks.append(k)
    return "/".join(ks)

# what the code handles: the screen file's actions, plus the list and text helpers it calls
def acts_in(text):
    return set(re.findall(r"\bACT_[A-Z_]+\b", strip_comments(text))) - {"ACT_NONE", "ACT__COUNT", "ACT_GOTO__LAST"}
def function_body(text, name):
    m = re.search(r"\n\w[^\n]*\b" + name + r"\([^)]*\)\n\{(.*?)\n\}", text, re.S)
    return m.group(1) if m else ""
textview = acts_in(function_body(src("tui/textview.c"), "tui_text_action"))
move = acts_in(function_body(src("tui/widgets.c"), "tui_move"))
app = src("tui/app.c")
# the shell: handle_key and the actions every screen has (global_action)
glob_acts = acts_in(function_body(app, "handle_key") + function_body(app, "global_action"))
check(len(textview) >= 8 and len(move) >= 6 and "ACT_HELP" in glob_acts, "the helpers' and the shell's actions are found")

for sid, ops, _ in screens:
    files = [p for p in glob.glob(f"{root}/tui/*.c") if re.search(r"const struct tui_screen_ops " + ops + r" =", open(p).read())]
    check(len(files) == 1, f"{sid}: one file defines {ops}")
    if len(files) != 1:
        continue
    text = open(files[0]).read()
    handled = acts_in(text)
    if "tui_text_action(" in text:
        handled |= textview
    if "tui_move(" in text:
        handled |= move
    listed = set(a for r in rows if r["screen"] == sid for a in r["acts"])
    check(listed, f"{sid}: has rows in keybar.def")
    missing = sorted(handled - listed - glob_acts)
    check(not missing, f"{sid}: every action its code handles is a row of keybar.def (missing: {' '.join(missing) or '-'})")
    ignored = sorted(listed - handled - glob_acts)
    check(not ignored, f"{sid}: every row names an action its code handles (ignored: {' '.join(ignored) or '-'})")

# the bars as drawn
drawn = {}
for line in open(bars_path):
    head, _, bar = line.rstrip("\n").partition("\t")
    name, pane = head.split()
    drawn.setdefault((name, int(pane)), []).append(bar)
ops_name = {sid: re.search(r'\.name = "([^"]+)"', open(p).read()).group(1)
            for sid, ops, _ in screens
            for p in glob.glob(f"{root}/tui/*.c") if re.search(r"const struct tui_screen_ops " + ops + r" =", open(p).read())}
for sid, _, _ in screens:
    panes = max([r["pane"] for r in rows if r["screen"] == sid] + [0]) + 1
    for pane in range(panes):
        bars = drawn.get((ops_name.get(sid), pane))
        where = f"{sid} pane {pane}"
        check(bars, f"{where}: the console drew a bar")
        if not bars:
            continue
        mine = [r for r in rows if r["screen"] == sid and r["pane"] in (-1, pane)]
        check(len(bars) <= 2 and all(len(b) <= 80 for b in bars),
              f"{where}: fits 80 columns in at most two rows ({' + '.join(str(len(b)) for b in bars)})")
        helprow = [r for r in mine if r["acts"] == ["ACT_HELP"]]
        check(helprow and bars[-1].endswith(f"{row_keys(helprow[0])} help"), f"{where}: ends with the help key")
        items = [i for b in bars for i in b.strip().split("  ") if i]
        for r in mine:
            if r["acts"] and set(r["acts"]) <= COMMON:
                continue
            item = f"{row_keys(r)} {r['label']}"
            check(item in items, f"{where}: shows '{item}' (its own action, keys from keymap.def)")
        bound = set(a for r in mine for a in r["acts"]) | glob_acts
        ok_keys = set(k for a in bound for k in names.get(a, [])) | {goto} | {r["rl"] for r in mine if r["rl"]}
        def stray_item(i):
            keys = i.split(" ")[0]
            return keys not in ok_keys and any(k not in ok_keys for k in keys.split("/"))
        stray = [i for i in items if stray_item(i)]
        check(not stray, f"{where}: names only keys bound to its actions ({'; '.join(stray) or 'none other'})")
print("\n".join(out))
PY
t_is "$?" 0 "the checker ran"
while IFS=$'\t' read -r verdict what; do
	[ "$verdict" = ok ]
	t_ok $? "$what"
done <"$run/checks"

# --- no key name by hand: a string literal naming a key of keymap.def or screens.def in a way
# texts name keys ("q quits", "(R)", "n / N", "Esc or", "1 Setup") is reported with its line
/usr/bin/python3 - "$ROOT" >"$run/handwritten" <<'PY'
import re, sys, glob
root = sys.argv[1]
def strip_comments(t):  # keeps the newlines, so line numbers stay right
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group(0).count("\n"), t, flags=re.S)
src = lambda p: strip_comments(open(f"{root}/{p}").read())
names = set(re.findall(r'KEY_BIND\([^,]+,\s*"([^"]*)"', src("tui/keymap.def")))
names |= set(re.findall(r"SCREEN\(\w+,\s*\w+,\s*'(.)'\)", src("tui/screens.def")))
words = sorted((n for n in names if len(n) > 1), key=len, reverse=True)
chars = "".join(re.escape(n) for n in names if len(n) == 1)
word_re = re.compile(r"(?<![\w<-])(" + "|".join(map(re.escape, words)) + r")(?![\w>-])")
char_re = re.compile(r"(?:^|(?<=\()|(?<=[:;,/-] )|(?<=\bor )|(?<=\bthen ))([" + chars +
                     r"])(?=\)| ?/ ?\S|: | or | on | \(| [a-z]+s\b| [A-Z][a-z]+\b)")
ALLOWED = {"y = yes, n / %s = no"}  # the confirm box's own answers, not actions of keymap.def
lit_re = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
bad = []
def scan(name, text, literals):
    for m in literals:
        s = m.group(1)
        hit = None if s in ALLOWED else word_re.search(s) or char_re.search(s)
        if hit:
            bad.append(f"{name}:{text.count(chr(10), 0, m.start()) + 1}: \"{s}\" names '{hit.group(1)}'")
for p in sorted(glob.glob(f"{root}/tui/*.c")):
    if p.endswith("/testhook.c"):
        continue  # the test scripts' key syntax (<Esc>), never shown
    name = "tui/" + p.split("/")[-1]
    text = re.sub(r"'(?:[^'\\\n]|\\.)+'", "' '", src(name))
    scan(name, text, [m for m in lit_re.finditer(text) if not text[:m.start()].rstrip().endswith("#include")])
acts = src("tui/actions.def")
action_names = set(re.findall(r'ACTION\(\w+,\s*"([^"]+)"', acts))
helps = list(re.finditer(r'ACTION\(\w+,\s*"[^"]+",\s*"((?:[^"\\]|\\.)*)"\)', acts))
scan("tui/actions.def", acts, helps)
for m in helps:
    for ref in re.findall(r"\{!?([^}]*)\}", m.group(1)):
        if ref not in action_names:
            bad.append(f"tui/actions.def: {{{ref}}} names no action")
print("\n".join(bad))
PY
t_is "$?" 0 "the key-name scan ran"
t_is "$(cat "$run/handwritten")" "" "no tui/ text names a key by hand (keys come from keymap.def / screens.def)"

# --- rebind keys, rebuild tui/ in a temp dir, and read the texts that name them
case "$(basename "${VBADMIN_BUILD:-build/release}")" in
asan) san=1 ;; tsan) san=thread ;; *) san= ;;
esac
mk() { make -s --no-print-directory -C "$ROOT" SAN="$san" BUILD="${VBADMIN_BUILD:-build/release}" OPT=-O0 \
	--eval 'vb-print-%: ; @echo $($*)' --eval 'vb-print-objs: ; @echo $(call obj,cli/main.c) $(CLI_OBJ) $(CORE_OBJ)' "$@"; }
rb="$T_TMP/rebound"
mkdir -p "$rb/src" "$rb/obj"
for d in "$ROOT"/*/; do
	[ "$(basename "$d")" = tui ] || ln -s "$d" "$rb/src/$(basename "$d")"
done
cp -r "$ROOT/tui" "$rb/src/tui"
# letters move to free letters, named keys keep their code but change name, screens get A-F, H
sed -i -e "s/^KEY_BIND('q', *\"q\"/KEY_BIND('z', \"z\"/; s/^KEY_BIND('Q', *\"Q\"/KEY_BIND('X', \"X\"/" \
	-e "s/^KEY_BIND('n', *\"n\"/KEY_BIND('o', \"o\"/; s/^KEY_BIND('N', *\"N\"/KEY_BIND('O', \"O\"/" \
	-e "s/^KEY_BIND('r', *\"r\"/KEY_BIND('p', \"p\"/; s/^KEY_BIND('R', *\"R\"/KEY_BIND('P', \"P\"/" \
	-e "s/^KEY_BIND('f', *\"f\"/KEY_BIND('x', \"x\"/; s/^KEY_BIND('s', *\"s\"/KEY_BIND('v', \"v\"/" \
	-e "s/^KEY_BIND('c', *\"c\"/KEY_BIND('b', \"b\"/; s/^KEY_BIND('w', *\"w\"/KEY_BIND('u', \"u\"/" \
	-e "s/^KEY_BIND('?', *\"?\"/KEY_BIND('~', \"~\"/" \
	-e 's/"Esc"/"Escape"/; s/"Enter"/"Return"/g; s/"Tab"/"HTab"/; s/"Ctrl-C"/"Break"/; s/"Left"/"Larr"/; s/"Right"/"Rarr"/' \
	"$rb/src/tui/keymap.def"
sed -i -e "s/'1')/'A')/; s/'2')/'B')/; s/'3')/'C')/; s/'4')/'D')/; s/'5')/'E')/; s/'6')/'F')/; s/'7')/'H')/" \
	"$rb/src/tui/screens.def"
t_is "$(grep -cE "'(z|X|o|O|p|P|x|v|b|u|~)', \"|\"(Escape|Return|HTab|Break|Larr|Rarr)\"" "$rb/src/tui/keymap.def") $(grep -c "'[A-FH]')" "$rb/src/tui/screens.def")" \
	"18 7" "the temp keymap.def and screens.def are rebound (18 bindings, 7 screens)"
cflags=$(mk vb-print-CFLAGS_ALL) ldflags=$(mk vb-print-LDFLAGS_ALL) libs=$(mk vb-print-PKG_LIBS) objs=$(mk vb-print-objs)
(cd "$rb/src/tui" && ls *.c | xargs -P 2 -I{} sh -c "cc $cflags -c {} -o '$rb/obj/{}.o'" 2>"$rb/cc.err") &&
	(cd "$ROOT" && cc $ldflags -o "$rb/vbadmin" "$rb"/obj/*.o $objs $libs -ldl -lm -lpthread 2>>"$rb/cc.err")
t_is "$?" 0 "the console builds with the rebound keys"
sed 's/^/#   /' "$rb/cc.err" | head -20
cat >"$rb/keys" <<'KEYS'
=wait
=dump s_setup
<Esc>
=dump s_esc
<C-c>
=dump s_cancel
:nosuch
=dump s_unknown
/
bootstrap
<Enter>
=dump s_find
~
=dump s_help1
<PgDn>
=dump s_help2
<PgDn>
=dump s_help3
<Esc>
D
=dump s_ddl
E
p
=wait
<PgDn>
=dump s_boot
F
<Tab>
T
<Tab>
share of revenue lost to returned orders
<Enter>
=wait
<Tab>
<Enter>
=dump s_hit
KEYS
ln -s "$ROOT/examples" "$rb/examples"
(cd "$rb" && env -i PATH="$PATH" HOME="$rb" XDG_STATE_HOME="$rb/state" XDG_CONFIG_HOME="$rb/config" \
	VBADMIN_DATA_DIR=data LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=xterm LINES=24 COLUMNS=80 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
	VBADMIN_SCRIPT="$rb/keys" timeout 120 "$rb/vbadmin" >"$rb/stdout" 2>"$rb/stderr")
t_is "$?" 0 "the rebound console runs the script and exits 0"
sed 's/^/#   /' "$rb/stderr" | head -20
dump() { cat "$rb/$1" 2>/dev/null; }
t_has "$(dump s_setup | head -1)" " A Setup  B Extension  C Tables  D DDL  E Bootstrap  F Search" \
	"the tab bar shows screens.def's keys"
t_has "$(dump s_setup)" "Fix (x does it here):" "Setup's fix label names the fix key"
t_has "$(dump s_esc)" "Escape never quits: z or X quits vbadmin" "Esc on Setup names the keys that quit"
t_has "$(dump s_cancel)" "nothing is running (X quits)" "cancel with nothing running names the quit key"
t_has "$(dump s_unknown)" "(~ lists the commands)" "an unknown command names the help key"
t_has "$(dump s_find)" "(o / O: next / previous)" "the find status names the next/previous keys"
help=$(dump s_help1; dump s_help2; dump s_help3)
t_has "$help" "z on Setup quits; Escape never quits" "Help: back's help names its keys"
t_has "$help" "Cancel the running statement (Break)" "Help: cancel's help names its key"
t_has "$(dump s_ddl)" "p applies, v saves" "DDL's title names the apply and save keys"
t_has "$(dump s_boot)" "Next: F (Search) to query it, A (Setup) to re-check." "Bootstrap's outcome names the screens' keys"
t_has "$(dump s_hit)" "(Return or Escape: back to the list; b copies, v saves)" "the Search hit header names its keys"
all=$(cat "$rb"/s_*)
t_is "$(printf '%s\n' "$all" | grep -noE '(^|[^[:alnum:]<-])(Esc|Enter|Tab|Ctrl-C|Left|Right)([^[:alnum:]>-]|$)' | head -5)" "" \
	"no screen of the rebound console names an old key (Esc Enter Tab Ctrl-C Left Right)"
t_done
