#!/usr/bin/env bash
# Builds the fuzz targets (coverage-guided, AddressSanitizer) and runs each for SECONDS.
#   Fuzz/run.sh [SECONDS] [TARGET…]     (default: 60 seconds each, every target)
# Inputs are read from Fuzz/Corpus/TARGET (the seeds, in the repo) and new interesting ones are
# written to .build-fuzz/corpus/TARGET (not committed); a crash leaves its input in
# .build-fuzz/crashes/ and fails the script. Prints, per target, the inputs tried and the corpus size.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(telegram-update telegram-webhook dingtalk-callback dingtalk-card dingtalk-frame dingtalk-answer admin-request config policy)
fi

# libFuzzer's driver without its main (SwiftPM links its own main; `-sanitize=fuzzer` would
# fight it over the entry point), from the toolchain's clang runtime.
toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")"
fuzzer_lib="$(ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -n 1)"
scratch=../.build-fuzz
# Debug (for @testable: the harness reaches the adapters' parsers as the daemon calls them) with
# the optimiser on (FUZZ_OPTIMIZE=0 leaves it off: a quicker build, as CI's bounded run wants),
# and every module instrumented for coverage and checked by AddressSanitizer.
optimize=()
if [ "${FUZZ_OPTIMIZE:-1}" != 0 ]; then optimize=(-Xswiftc -O); fi
swift build --scratch-path "$scratch" -c debug "${optimize[@]}" \
    -Xswiftc -enable-testing \
    -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$fuzzer_lib" -Xlinker -lstdc++
binary="$(swift build --scratch-path "$scratch" -c debug --show-bin-path)/gatehouse-fuzz"

mkdir -p "$scratch/crashes"
failed=0
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    log="$scratch/$target.log"
    # Leaks are not judged: the harness keeps its adapters, and Foundation's caches live forever.
    # Swift's own backtracer would read the crashed stack itself, which AddressSanitizer reports.
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$binary" "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target-" \
        "$corpus" "Corpus/$target" >"$log" 2>&1; then
        outcome=ok
    else
        outcome=CRASH
        failed=1
        tail -n 60 "$log"
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    size="$(find "$corpus" -type f | wc -l)"
    printf '%-18s %-6s %12s inputs tried  %6s in corpus\n' "$target" "$outcome" "${runs:-?}" "$size"
done
exit $failed
