#!/usr/bin/env bash
# The instruction counts BENCHMARKS.md cites, counted with callgrind, printed as markdown tables:
#
#   bash benches/instructions.sh
#
# - The privacy bench (`benches/privacy.rs`): modes off / masking / all, shapes action / request;
#   instructions per action = (run of 30000 actions - run of 10000) / 20000.
# - The privacy bench built with `--features metrics`: modes masking / counting (masking, and
#   every action counted for the usage metrics), shapes action / request.
# - The HTTP bench (`benches/http.rs`): subjects none, ours, trace, floor, trace-floor, none-new,
#   ours-new; instructions per request = (run of 15000 requests - run of 5000) / 10000.
#
# The difference of two runs removes start-up (building the subscriber, compiling the masking
# regex). Callgrind counts the instructions of every thread, which do not move with the load of
# a shared machine the way criterion's timings do. Each command runs once (`RUNS=3` runs it
# three times and uses the lowest count, see `lowest`). The runs are made one after the other,
# never two valgrinds at once; progress goes to standard error, the tables to standard output.
set -euo pipefail

# Runs of each command; the lowest count is used (see `lowest`).
RUNS=${RUNS:-1}

die() {
    echo "benches/instructions.sh: $*" >&2
    exit 1
}

command -v valgrind >/dev/null 2>&1 ||
    die "valgrind is not installed; it counts the instructions (apt-get install valgrind)"
command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH"

cd "$(dirname "$0")/.."

echo "building the privacy and http benches..." >&2
artifacts=$(cargo bench --bench privacy --bench http --no-run --message-format=json) ||
    die "cargo bench --bench privacy --bench http --no-run failed"

# The executable cargo built for bench target `$1`, from its JSON messages on standard input
# (piped, not passed in the environment: the messages outgrow an environment variable's limit).
executable() {
    grep '"reason":"compiler-artifact"' |
        grep '"kind":\["bench"\]' |
        grep "\"src_path\":\"[^\"]*/benches/$1\.rs\"" |
        grep -o '"executable":"[^"]*"' |
        sed 's/^"executable":"//; s/"$//' |
        tail -n 1
}

PRIVACY=$(printf '%s\n' "$artifacts" | executable privacy)
echo "building the privacy bench with the metrics feature..." >&2
artifacts_metrics=$(cargo bench --bench privacy --features metrics --no-run --message-format=json) ||
    die "cargo bench --bench privacy --features metrics --no-run failed"
PRIVACY_METRICS=$(printf '%s\n' "$artifacts_metrics" | executable privacy)
HTTP=$(printf '%s\n' "$artifacts" | executable http)
[[ -x $PRIVACY ]] || die "no executable for the privacy bench in cargo's output"
[[ -x $HTTP ]] || die "no executable for the http bench in cargo's output"
[[ -x $PRIVACY_METRICS ]] || die "no executable for the privacy bench with metrics in cargo's output"

# Instructions callgrind collects for one run of the command given.
count() {
    local out collected
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1) ||
        die "this run failed under valgrind: $*"$'\n'"$out"
    collected=$(printf '%s\n' "$out" | grep -oE 'Collected : [0-9]+' | grep -oE '[0-9]+') ||
        die "no 'Collected' count in callgrind's output for: $*"
    echo "$collected"
}

# The lowest of `RUNS` counts of one command. The benches' inputs are fixed (the HTTP bench's
# session cookie too), so the runs of one build count the same to within a few instructions; a
# spread over 1 % is said on standard error.
lowest() {
    local counts=() low high
    for _ in $(seq "$RUNS"); do
        counts+=("$(count "$@")")
    done
    low=$(printf '%s\n' "${counts[@]}" | sort -n | head -n 1)
    high=$(printf '%s\n' "${counts[@]}" | sort -n | tail -n 1)
    if ((high - low > low / 100)); then
        echo "  note: $(basename "$1") ${*:2}: counts from $low to $high; the lowest is used" >&2
    fi
    echo "$low"
}

# Per unit of work: (count of the larger run - count of the smaller) / (larger - smaller).
per_unit() {
    local bin=$1 small=$2 large=$3
    shift 3
    local a b
    echo "  $(basename "$bin") $* ..." >&2
    a=$(lowest "$bin" "$@" "$small")
    b=$(lowest "$bin" "$@" "$large")
    echo $(((b - a) / (large - small)))
}

# A number with thousands separators: 12345 -> 12,345 (and -1234 -> −1,234).
n() {
    local v=$1 sign=""
    ((v < 0)) && sign="−" && v=$((-v))
    echo "$sign$(echo "$v" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta')"
}

# `$1` against `$2` in per cent, signed: "−20.6 %", "+17.0 %".
pct() {
    awk -v a="$1" -v b="$2" 'BEGIN { p = (a - b) * 100 / b; s = p < 0 ? "−" : "+"; if (p < 0) p = -p; printf "%s%.1f %%", s, p }'
}

# `$1` / `$2` with two decimals.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

declare -A P
for shape in action request; do
    for mode in off masking all; do
        P[$mode.$shape]=$(per_unit "$PRIVACY" 10000 30000 "$mode" "$shape")
    done
done

declare -A C
for shape in action request; do
    for mode in masking counting; do
        C[$mode.$shape]=$(per_unit "$PRIVACY_METRICS" 10000 30000 "$mode" "$shape")
    done
done

declare -A H
for s in none ours trace floor trace-floor none-new ours-new; do
    H[$s]=$(per_unit "$HTTP" 5000 15000 "$s")
done

echo "### Privacy (\`benches/privacy.rs\`), instructions per action"
echo
echo "| shape | privacy off | masking (default) | masking + HMAC + IP |"
echo "|---|---|---|---|"
for shape in action request; do
    off=${P[off.$shape]}
    masking=${P[masking.$shape]}
    all=${P[all.$shape]}
    echo "| $shape | $(n "$off") | $(n "$masking") ($(pct "$masking" "$off")) | $(n "$all") ($(pct "$all" "$off")) |"
done
echo

echo "### Usage counting (\`benches/privacy.rs\` with \`--features metrics\`), instructions per action"
echo
echo "| shape | masking (default) | masking + usage counting | added |"
echo "|---|---|---|---|"
for shape in action request; do
    masking=${C[masking.$shape]}
    counting=${C[counting.$shape]}
    echo "| $shape | $(n "$masking") | $(n "$counting") | $(n $((counting - masking))) |"
done
echo

none=${H[none]}
none_new=${H[none-new]}
ours=$((H[ours] - none))
trace=$((H[trace] - none))
floor=$((H[floor] - none))
trace_floor=$((H[trace-floor] - none))
ours_new=$((H[ours-new] - none_new))

echo "### HTTP (\`benches/http.rs\`), instructions per request"
echo
echo "| subject | instructions per request | added by the middleware |"
echo "|---|---|---|"
echo "| \`none\`: no middleware | $(n "$none") | |"
echo "| \`ours\`: tracing-activity | $(n "${H[ours]}") | $(n "$ours") |"
echo "| \`trace\`: tower-http \`TraceLayer\` + \`fmt\` | $(n "${H[trace]}") | $(n "$trace") |"
echo "| \`floor\`: our middleware under the \`Floor\` layer | $(n "${H[floor]}") | $(n "$floor") |"
echo "| \`trace-floor\`: \`TraceLayer\` under the \`Floor\` layer | $(n "${H[trace-floor]}") | $(n "$trace_floor") |"
echo "| \`none-new\`: no middleware, new values | $(n "$none_new") | |"
echo "| \`ours-new\`: tracing-activity, new values | $(n "${H[ours-new]}") | $(n "$ours_new") (over \`none-new\`) |"
echo
echo "| | ours | tower-http |"
echo "|---|---|---|"
echo "| the middleware and \`tracing\`, under the \`Floor\` layer | $(n "$floor") | $(n "$trace_floor") |"
echo "| the layer's own work beyond the \`Floor\` layer's | $(n $((ours - floor))) | $(n $((trace - trace_floor))) |"
echo "| added in all | $(n "$ours") | $(n "$trace") |"
echo
echo "ours − none = $(n "$ours"), trace − none = $(n "$trace"): ours adds $(ratio "$ours" "$trace")× what \`TraceLayer\` adds (half would be $(n $((trace / 2)))); with new values, ours-new − none-new = $(n "$ours_new"), $(ratio "$ours_new" "$trace")×."
