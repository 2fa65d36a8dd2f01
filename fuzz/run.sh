#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60), starting from the committed seed
# corpus; new inputs go to a scratch corpus so the repository stays small. Exits non-zero
# on the first crash; the crashing input is left in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh 300        # CI: a bounded run
#   JOBS=2 fuzz/run.sh 600 # more processes per target
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Sanitizer
# "none": the targets look for panics in safe code, and an uninstrumented build is
# several times faster; set SANITIZER=address to check memory errors as well.
set -eu
seconds=${1:-60}
cd "$(dirname "$0")"
sanitizer=${SANITIZER:-none}
# Parallel jobs only when asked: a single process exits non-zero on a crash itself.
parallel=""
if [ "${JOBS:-1}" -gt 1 ]; then
    parallel="-jobs=$JOBS -workers=$JOBS"
fi
cargo +nightly fuzz build --sanitizer "$sanitizer"
# libFuzzer reports every new input; that goes to fuzz-<target>.log, and only the final
# figures (or, on a crash, the end of the log) are printed.
for target in $(cargo +nightly fuzz list); do
    scratch=$(mktemp -d)
    # A target added without seeds still runs (libFuzzer refuses a missing directory).
    mkdir -p "corpus/$target"
    log="fuzz-$target.log"
    echo "== $target: ${seconds}s"
    if cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "$scratch" "corpus/$target" -- \
        -max_total_time="$seconds" $parallel -print_final_stats=1 \
        -max_len=65536 -timeout=10 >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || tail -n 3 "$log"
    else
        tail -n 60 "$log"
        echo "fuzz/run.sh: $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    rm -rf "$scratch"
done
