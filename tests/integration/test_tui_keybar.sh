#!/usr/bin/env bash
# tests/integration/test_tui_keybar.sh - the console's key bars live once, in tui/keybar.def,
# with the keys of tui/keymap.def (issue 11 point 4):
#   - every action a screen's code handles is a row of its keybar.def (else no bar and no Help
#     shows it), and every row names an action the screen handles (else the bar promises a key
#     that does nothing);
#   - the bars the console draws (=keybars, every screen and pane at 80 columns) fit 80 columns,
#     end with the help key, show each screen's own actions with the keys keymap.def binds to
#     them (computed here from keymap.def, so a key changed there must change the bar), and name
#     no key that keymap.def does not bind to an action of that screen.
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
glob_acts = acts_in(function_body(app, "handle_key"))
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
t_done
