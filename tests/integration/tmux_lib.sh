# tests/integration/tmux_lib.sh - drive the console in a real pty (tmux).  Source it after lib.sh,
# once SOCK (the test's own tmux server socket name) is set.  Optional settings before sourcing:
#   TMUX_WAIT     default seconds wait_for/expect poll (20)
#   TMUX_CAPTURE  extra capture-pane flags (-J joins wrapped lines)
: "${TMUX_WAIT:=20}" "${TMUX_CAPTURE:=}"
# shellcheck disable=SC2086 # TMUX_CAPTURE is a list of flags
screen() { tmux -L "$SOCK" capture-pane -p $TMUX_CAPTURE -t "$1"; }
keys() { local s=$1; shift; tmux -L "$SOCK" send-keys -t "$s" "$@"; }
# wait_for SESSION TEXT [SECONDS]: polls the pane every 50 ms; on a timeout shows the pane
wait_for() {
	local s=$1 text=$2 limit=${3:-$TMUX_WAIT} i=0
	while [ $i -lt $((limit * 20)) ]; do
		case "$(screen "$s")" in *"$text"*) return 0 ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	echo "# timed out waiting for '$text' in $s; the screen was:"
	screen "$s" | sed 's/^/#   /'
	return 1
}
expect() { # session text name [seconds]
	wait_for "$1" "$2" "${4:-$TMUX_WAIT}"
	t_ok $? "$3"
}
