#!/usr/bin/env bash
# bench/console_first_frame.sh [VBADMIN] [RUNS] - time from starting the console in a real pty
# (tmux, 80x24) to the first frame on screen, on the embedded default in a fresh temp dir.
# Prints each run and the median in ms; exits 1 when the median exceeds 100 ms.
set -u
V=${1:-./vbadmin}
RUNS=${2:-10}
V=$(cd "$(dirname "$V")" && pwd)/$(basename "$V")
T=$(mktemp -d /tmp/vbff.XXXXXX)
SOCK="vbff$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT
now_ms() { date +%s%3N; }
times=()
for i in $(seq 1 "$RUNS"); do
	rm -rf "$T/home"; mkdir -p "$T/home"
	t0=$(now_ms)
	tmux -L "$SOCK" -f /dev/null new-session -d -s "r$i" -x 80 -y 24 \
		"env HOME='$T/home' XDG_DATA_HOME='$T/home/data' XDG_STATE_HOME='$T/home/state' LANG=C.UTF-8 TERM=xterm-256color '$V'"
	while :; do
		case "$(tmux -L "$SOCK" capture-pane -p -t "r$i" 2>/dev/null)" in *"1 Setup"*) break ;; esac
		[ $(( $(now_ms) - t0 )) -gt 5000 ] && { echo "run $i: no frame within 5 s"; exit 1; }
	done
	t1=$(now_ms)
	times+=($((t1 - t0)))
	echo "run $i: first frame after $((t1 - t0)) ms"
	tmux -L "$SOCK" send-keys -t "r$i" Q
	sleep 0.2
	tmux -L "$SOCK" kill-session -t "r$i" >/dev/null 2>&1
done
med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "console first frame: median $med ms over $RUNS runs (includes tmux start and polling)"
[ "$med" -le 100 ]
