#!/usr/bin/env bash
# Builds the benchmark harness and runs it: `bash benches/run.sh [--quick] [harness options]`.
#
# A peer crate that fails to build is left out (its error is saved under
# benches/target/build-errors/ and shown in its rows); HotSpot rows are added when `javac` and
# `java` are installed, Go rows when `go` is. The tables go to standard output and to
# benches/target/results-*.md.
set -euo pipefail

cd "$(dirname "$0")/.."
manifest=benches/Cargo.toml
target=benches/target
# Cargo builds into CARGO_TARGET_DIR when it is set (relative to the repository root, where
# cargo runs); the build errors and results stay in benches/target.
harness="${CARGO_TARGET_DIR:-$target}/release/gc-bench"
optional=(bumpalo gc gc-arena dumpster rust-cc)

rm -rf "$target/build-errors"
mkdir -p "$target/build-errors"
if ! cargo build --release --manifest-path "$manifest"; then
    echo "run.sh: the full build failed; building the optional peers one at a time" >&2
    built=()
    for peer in "${optional[@]}"; do
        if cargo build --release --manifest-path "$manifest" --no-default-features \
            --features "$peer" 2>"$target/build-errors/$peer.txt"; then
            built+=("$peer")
            rm "$target/build-errors/$peer.txt"
        else
            echo "run.sh: $peer failed to build; its rows will say why" >&2
        fi
    done
    features=$(IFS=,; echo "${built[*]:-}")
    cargo build --release --manifest-path "$manifest" --no-default-features --features "$features"
fi

java_args=()
if command -v javac >/dev/null && command -v java >/dev/null; then
    mkdir -p benches/target-java
    javac -d benches/target-java benches/java/*.java
    java_args=(--java benches/target-java)
fi

go_args=()
if command -v go >/dev/null; then
    (cd benches/go && go build -o ../target-go/gc-bench-go .)
    go_args=(--go benches/target-go/gc-bench-go)
fi

results="$target/results-$(date -u +%Y%m%d-%H%M%S).md"
{
    echo "## tenured-gc benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
    echo "- tenured-gc at commit $(git rev-parse --short HEAD)$(git status --porcelain -- gc-core gc-derive | grep -q . && echo ' with uncommitted changes'), $(rustc --version)"
    if ((${#java_args[@]})); then
        echo "- $(java -version 2>&1 | head -n 1): binary-trees and gcbench with -XX:+UseSerialGC, at default heap sizing and with -Xmn set to tenured-gc's default max_nursery_size; the workloads of live data with -XX:+UseSerialGC and with -XX:+UseParallelGC, both at default heap sizing; every run with -Xlog:gc on standard error for its pauses"
    fi
    if ((${#go_args[@]})); then
        echo "- $(go version), default GOGC, GODEBUG=gctrace=1 for the pauses"
    fi
    echo
    "$harness" "$@" "${java_args[@]}" "${go_args[@]}"
} | tee "$results"
echo "run.sh: results saved to $results" >&2
