#!/usr/bin/env bash
# bench/gen_semantic.sh N [FILE] - a semantic YAML with about N objects for load tests, shaped
# like real models: groups of one data_source (1 table + 8 dimensions + 2 measures + 1 identifier
# = 12 semantic_model rows) and 8 metrics on it, so N/20 groups.  Load it with
# --all-data-sources (Datus itself keeps only the last data_source of a file).
set -eu
n=${1:?usage: gen_semantic.sh N [FILE]}
out=${2:-/dev/stdout}
groups=$(( (n + 19) / 20 ))
awk -v groups="$groups" 'BEGIN {
	for (g = 1; g <= groups; g++) {
		if (g > 1) print "---"
		print "data_source:"
		printf "  name: events_%d\n", g
		printf "  description: Event table %d of the load test, one row per event of region %d\n", g, g % 17
		printf "  sql_table: bench.public.events_%d\n", g
		print "  dimensions:"
		for (i = 1; i <= 8; i++) {
			printf "    - name: attr_%d\n", i
			print  "      type: CATEGORICAL"
			printf "      description: Attribute %d of event table %d, bucket %d\n", i, g, (g * i) % 97
		}
		print "  measures:"
		printf "    - name: event_count_%d\n", g
		print  "      description: Number of events"
		print  "      agg: COUNT"
		print  "      expr: event_id"
		printf "    - name: event_value_%d\n", g
		print  "      description: Sum of event values in USD"
		print  "      agg: SUM"
		print  "      expr: value"
		print "  identifiers:"
		print "    - name: event_id"
		print "      type: PRIMARY"
		print "      entity: event"
		for (m = 1; m <= 8; m++) {
			print "---"
			print "metric:"
			printf "  name: metric_%d_%d\n", g, m
			printf "  description: Metric %d of table %d counting events in segment %d\n", m, g, (g + m) % 101
			print  "  type: measure_proxy"
			printf "  type_params: {measure: event_%s_%d}\n", (m % 2 ? "count" : "value"), g
			printf "  locked_metadata: {tags: [\"subject_tree: Bench/Group%d\"]}\n", g % 20
		}
	}
}' > "$out"
