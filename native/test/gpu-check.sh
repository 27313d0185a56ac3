#!/usr/bin/env bash
# GPU-host check of the native kernels, run from the repository root:
#   OUT=/some/dir native/test/gpu-check.sh
# Prints everything to stdout and keeps logs under $OUT (default native/build/gpu-check): at most 6 files.
# Steps: environment, nvcc build for the local GPU's architecture, correctness (every kernel fwd + bwd
# against the host reference), compute-sanitizer memcheck and racecheck on reduced sizes, benchmarks.
# Each step has its own timeout; the whole run stays within about 4 minutes on an H100.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${OUT:-$root/native/build/gpu-check}"
mkdir -p "$out"
summary=()
overall=0

note() { summary+=("$1"); }
section() { echo; echo "=================== $1 ($(date -u +%H:%M:%S))"; }

# run_step NAME SECONDS LOGFILE command...: records PASS/FAIL/TIMEOUT/NO-GPU/UNSUPPORTED in the summary
run_step() {
    local name="$1" secs="$2" log="$3"
    shift 3
    section "$name"
    timeout --kill-after=10 "$secs" "$@" 2>&1 | tee -a "$log"
    local rc=${PIPESTATUS[0]}
    case "$rc" in
        0) note "PASS     $name" ;;
        124|137) note "TIMEOUT  $name (>${secs}s)"; overall=1 ;;
        77) note "NO-GPU   $name (harness found no usable GPU)"; overall=1 ;;
        *) note "FAIL     $name (exit $rc)"; overall=1 ;;
    esac
    return "$rc"
}

{
    section "environment"
    date -u
    nvidia-smi || echo "nvidia-smi unavailable"
    command -v nvcc && nvcc --version || echo "nvcc not on PATH"
    ls /usr/local/cuda*/lib64/libcublas.so* 2>/dev/null | head -3 || true
} 2>&1 | tee "$out/environment.log"

cc="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')"
archs="${PN_CUDA_ARCHS:-${cc:-90}}"
: > "$out/build.log"
if ! run_step "build (nvcc, sm_$archs)" 120 "$out/build.log" env PN_CUDA_ARCHS="$archs" "$root/native/build.sh"; then
    echo "build failed: nothing else can run"
    printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
    exit 1
fi
# make libcublas findable for the optional comparison (dlopen searches LD_LIBRARY_PATH)
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
    [[ -d "$d" ]] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done

harness="$root/native/build/pn_test"
: > "$out/correctness.log"
run_step "correctness: every kernel vs host reference" 60 "$out/correctness.log" "$harness" --gpu --require-gpu

: > "$out/sanitizer.log"
if command -v compute-sanitizer >/dev/null 2>&1; then
    for tool in memcheck racecheck; do
        run_step "compute-sanitizer --tool $tool (reduced sizes)" 60 "$out/sanitizer.log" \
            compute-sanitizer --tool "$tool" --error-exitcode 3 "$harness" --gpu --small --require-gpu
    done
else
    section "compute-sanitizer"
    echo "compute-sanitizer not on PATH: sanitizer runs skipped" | tee -a "$out/sanitizer.log"
    note "SKIPPED  compute-sanitizer (not installed)"
fi

: > "$out/bench.log"
run_step "benchmarks" 60 "$out/bench.log" "$harness" --bench

section "summary"
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
grep -h '^BENCH' "$out/bench.log" | tee -a "$out/summary.txt"
grep -h '^FAIL' "$out/correctness.log" "$out/sanitizer.log" 2>/dev/null | head -20 | tee -a "$out/summary.txt"
exit "$overall"
