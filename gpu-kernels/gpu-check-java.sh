#!/usr/bin/env bash
# GPU-host check of the Java side (CudaBackend through the JavaCPP bindings), run from the repository root on a
# machine with an NVIDIA GPU but no JDK, Maven or network:
#   OUT=/some/dir gpu-kernels/gpu-check-java.sh [PREPARED]     PREPARED defaults to .device/gpu-check
#   REBUILD=always ...   rebuild native/ with the local nvcc even when the packaged library works
# PREPARED comes from gpu-kernels/prepare-gpu-check.sh on a build machine. Steps: environment; unpack the Java
# runtime; probe (native library, driver, devices, a GPU-vs-host-twins smoke test) with the packaged .so, and if it
# fails while nvcc is here, rebuild native/ for this GPU and probe again; the Backend conformance suite (CUDA and
# host twins) through the JUnit console launcher; training-step timings of every backend in the same run; the
# quickstart on the GPU with its device idle fraction, when the shaded jar was packed.
# Logs under $OUT (default /tmp/pinsage-gpu-check-java). Exit 0 all passed, 1 a failure, 77 no usable GPU (the
# host-twin suites still run, so the runtime image itself is checked even then).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prepared="$(cd "${1:-$root/.device/gpu-check}" 2>/dev/null && pwd)" || {
    echo "gpu-check-java: no prepared folder ${1:-$root/.device/gpu-check}; run gpu-kernels/prepare-gpu-check.sh first" >&2
    exit 2
}
out="${OUT:-/tmp/pinsage-gpu-check-java}"
mkdir -p "$out"
work="$(mktemp -d /tmp/pinsage-gpu-java.XXXXXX)"
trap 'rm -rf "$work"' EXIT
summary=()
overall=0
seed="${TESTS_SEED:-$(date +%s)}"

note() { summary+=("$1"); }
section() { echo; echo "=================== $1 ($(date -u +%H:%M:%S))"; }

{
    section "environment"
    date -u
    cat "$prepared/PREPARED.txt"
    nvidia-smi || echo "nvidia-smi unavailable"
    command -v nvcc && nvcc --version | tail -1 || echo "nvcc not on PATH"
} 2>&1 | tee "$out/environment.log"

tar -xJf "$prepared/jdk.tar.xz" -C "$work"
java="$work/jdk/bin/java"
cp -r "$prepared/classes" "$prepared/test-classes" "$work/"
so_dir="$work/classes/gpu-kernels/io/pinsage/gpu/linux-x86_64"
cp="$work/classes/gpu-kernels:$work/test-classes/gpu-kernels:$prepared/lib/*"
read -r -a flags < "$prepared/jvm-flags.txt"
flags+=(-Xmx8g -ea "-Dorg.bytedeco.javacpp.cachedir=$work/javacpp-cache" "-Dtests.seed=$seed")
# cuBLAS is opened with dlopen on first use: make the toolkit's copy findable
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
    [[ -d "$d" ]] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
"$java" -version 2>&1 | head -1

probe() {
    section "probe ($1 libpinsage_native)"
    timeout --kill-after=10 120 "$java" "${flags[@]}" -cp "$cp" io.pinsage.gpu.GpuCheckMain probe 2>&1 | tee -a "$out/probe.log"
    return "${PIPESTATUS[0]}"
}

: > "$out/probe.log"
probe packaged
probe_rc=$?
library="packaged"
rebuildable=0
[[ -x "$(command -v nvcc)" || -x /usr/local/cuda/bin/nvcc ]] && [[ -f "$root/native/build.sh" ]] && rebuildable=1
# rebuild when the packaged library found a GPU but failed on it, or was a CPU-only build while nvidia-smi sees a
# GPU, or when asked to (REBUILD=always, e.g. to compare the two builds)
if [[ "${REBUILD:-auto}" == always ]] || (( probe_rc == 1 )) || { (( probe_rc == 77 )) && grep -q "built without CUDA" "$out/probe.log" && nvidia-smi -L >/dev/null 2>&1; }; then
    if (( rebuildable )); then
        cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')"
        section "rebuild native for sm_${cap:-90}"
        if PN_CUDA_ARCHS="${cap:-90}" timeout 300 bash "$root/native/build.sh" 2>&1 | tee "$out/rebuild.log"; then
            cp "$root/native/build/libpinsage_native.so" "$so_dir/libpinsage_native.so"
            rm -rf "$work/javacpp-cache"
            library="rebuilt here"
            probe rebuilt
            probe_rc=$?
        else
            note "FAIL     rebuild of native/ with nvcc (see rebuild.log)"
        fi
    else
        note "INFO     packaged library failed and no nvcc here to rebuild it"
    fi
fi
case "$probe_rc" in
    0) note "PASS     probe and GPU smoke test ($library libpinsage_native)" ;;
    77) note "NO-GPU   $(grep -m1 '^SKIP GPU:' "$out/probe.log" | sed 's/^SKIP GPU: //')"; overall=77 ;;
    124|137) note "TIMEOUT  probe"; overall=1 ;;
    *) note "FAIL     probe (exit $probe_rc, $library libpinsage_native)"; overall=1 ;;
esac

section "conformance (JUnit console launcher, -Dtests.seed=$seed)"
timeout --kill-after=10 400 "$java" "${flags[@]}" -cp "$cp:$(ls "$prepared"/junit-platform-console-standalone-*.jar)" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --disable-ansi-colors \
    --select-class io.pinsage.gpu.CudaBackendTest --select-class io.pinsage.gpu.HostTwinBackendTest \
    --select-class io.pinsage.gpu.HostTwinsAgreeWithCpuBackendTest --select-class io.pinsage.gpu.CudaRuntimeTest \
    --select-class io.pinsage.gpu.PinSageModelOnCudaBackendTest \
    --select-class io.pinsage.nn.backend.cpu.CpuBackendTest 2>&1 | tee "$out/conformance.log"
conf_rc=${PIPESTATUS[0]}
counts="$(grep -E '^\[ +[0-9]+ tests (successful|failed|skipped|aborted) +\]' "$out/conformance.log" | tr -s ' ' | tr '\n' ' ')"
if (( conf_rc == 0 )); then
    note "PASS     conformance: $counts"
else
    note "FAIL     conformance (exit $conf_rc): $counts"
    overall=1
fi
skipped_reason="$(grep -m1 -o 'CUDA unavailable: .*' "$out/conformance.log" || true)"
[[ -n "$skipped_reason" ]] && note "INFO     CudaBackendTest skipped: $skipped_reason"

section "training-step timing (every backend, same run)"
timeout --kill-after=10 300 "$java" "${flags[@]}" -cp "$cp" io.pinsage.gpu.GpuCheckMain timing "$seed" 2>&1 | tee "$out/timing.log"
timing_rc=${PIPESTATUS[0]}
if (( timing_rc == 0 )); then
    note "PASS     timing (see timing.log)"
else
    note "FAIL     timing (exit $timing_rc)"
    (( overall == 0 )) && overall=1
fi

# The whole quickstart on the GPU with the shaded jar (when prepare-gpu-check.sh packed it): its `device idle` per
# epoch (CUDA timing events) against NVML's utilisation sampled every 200 ms in the same run. QUICKSTART=always runs
# it whatever the probe said, QUICKSTART=never skips it; QUICKSTART_DEVICE picks --device (default cuda; auto for a
# dry run of the runtime image without a GPU).
if [[ -f "$prepared/pinsage.jar" && "${QUICKSTART:-auto}" != never ]] && { (( probe_rc == 0 )) && [[ "$library" == packaged ]] || [[ "${QUICKSTART:-auto}" == always ]]; }; then
    device="${QUICKSTART_DEVICE:-cuda}"
    section "quickstart --device $device (shaded jar; NVML utilisation every 200 ms)"
    smi=""
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
        nvidia-smi --query-gpu=timestamp,utilization.gpu --format=csv,noheader,nounits -lms 200 > "$out/nvml.csv" 2>/dev/null &
        smi=$!
    fi
    read -r -a qflags < "$prepared/jvm-flags.txt"
    qflags+=(-Xmx8g "-Dorg.bytedeco.javacpp.cachedir=$work/javacpp-cache-jar")
    (cd "$work" && timeout --kill-after=10 400 "$java" "${qflags[@]}" -jar "$prepared/pinsage.jar" quickstart \
        --device "$device") 2>&1 | tr '\r' '\n' | grep -v -E '^epoch [0-9]+/[0-9]+ \[' | tee "$out/quickstart.log"
    qs_rc=${PIPESTATUS[0]}
    [[ -n "$smi" ]] && kill "$smi" 2>/dev/null
    idle="$(grep -o 'device idle [0-9.]*%' "$out/quickstart.log" | sed 's/device idle //' | tr '\n' ' ')"
    pinsage="$(grep -m1 '^PinSage' "$out/quickstart.log" | tr -s ' ')"
    nvml=""
    [[ -s "$out/nvml.csv" ]] && nvml="$(awk -F', *' '$2 != "" {n++; s += $2} END {if (n) printf "NVML mean utilisation %.1f%% over %d samples", s / n, n}' "$out/nvml.csv")"
    if (( qs_rc == 0 )); then
        note "PASS     quickstart --device $device: device idle per epoch ${idle:-?}${nvml:+; $nvml}; $pinsage"
    else
        note "FAIL     quickstart --device $device (exit $qs_rc; see quickstart.log)"
        (( overall == 0 )) && overall=1
    fi
fi

section "summary"
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
exit "$overall"
