# bench/embed_http.sh - sourced by bench/run.sh (one hook line): the HTTP embedder's throughput
# (bench/http_bench.c: kb/embed_openai.c, batches with requests in flight) against a plain Python
# client (bench/py_http_embed.py: urllib, one request at a time) on the same loopback server
# (tests/integration/embed_server.py, model "canned:384": the same pre-encoded 384-float vector
# for every text, so the server's own cost stays small) with the same batch size.  Adds R[eh_*],
# the summary row (embed_http_rows, called by bench/report.sh) and a note when the goal is missed.
EH_N=${BENCH_EMBED_TEXTS:-20000}
EH_BATCH=32
EH_PAR=4
say "HTTP embedder vs a Python urllib client ($EH_N texts, batch $EH_BATCH)"
$PY tests/integration/embed_server.py --no-auth >"$W/eh.port" 2>"$W/eh.err" &
EH_PID=$!
for _ in $(seq 100); do [ -s "$W/eh.port" ] && break; sleep 0.05; done
EH_URL="http://127.0.0.1:$(cat "$W/eh.port")/v1"
eh_vb= eh_py= eh_rat=
for _ in 1 2 3; do
	v=$("$BIN/http_bench" "$EH_URL" canned:384 "$EH_N" "$EH_BATCH" "$EH_PAR" | field texts_per_s)
	p=$($PY bench/py_http_embed.py "$EH_URL" canned:384 "$EH_N" "$EH_BATCH" | field texts_per_s)
	eh_vb+=" $v" eh_py+=" $p" eh_rat+=" $(div "$v" "$p")"
done
kill "$EH_PID" 2>/dev/null || true
wait "$EH_PID" 2>/dev/null || true
R[eh_vb_tps]=$(echo $eh_vb | median | xargs printf '%.0f')
R[eh_py_tps]=$(echo $eh_py | median | xargs printf '%.0f')
R[eh_vs_py]=$(echo $eh_rat | median | xargs printf '%.2f')
R[eh_range]=$(echo $eh_rat | range)
embed_http_rows() {
	row "HTTP embedder texts/s, batch $EH_BATCH, $EH_PAR in flight, vs Python urllib client, same loopback server" \
		"${R[eh_vb_tps]}" "${R[eh_py_tps]}" "${R[eh_vs_py]}x" ">= 1.5x" "$(meets "${R[eh_vs_py]}" 1.5)"
}
[ "$(meets "${R[eh_vs_py]}" 1.5)" = met ] || note "HTTP embedder vs Python urllib ${R[eh_vs_py]}x (goal 1.5x):" \
	"per-round ratios ${R[eh_range]}; both sides share the one Python server process on this 2-core machine."
