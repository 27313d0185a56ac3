#!/usr/bin/env bash
# Builds native/build/libpinsage_native.so and the C test harness native/build/pn_test.
#
#   native/build.sh            nvcc when found (CUDA build), else cc (CPU-only build: GPU calls report "no CUDA")
#   native/build.sh --cpu-only force the CPU-only build (also: PINSAGE_NATIVE_CUDA=false)
#   PN_CUDA_ARCHS="90"         compute capabilities to compile SASS for (default "80 90"; PTX of the last is kept)
#   NVCC=/path/to/nvcc CC=gcc  tool overrides
#
# Rebuilds only when a source, this script or the build mode changed since the last build.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/build"
mode="cuda"
[[ "${1:-}" == "--cpu-only" || "${PINSAGE_NATIVE_CUDA:-true}" == "false" ]] && mode="cpu"
nvcc="${NVCC:-$(command -v nvcc || true)}"
[[ -n "$nvcc" && ! -x "$nvcc" ]] && nvcc=""
if [[ "$mode" == "cuda" && -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [[ "$mode" == "cuda" && -z "$nvcc" ]]; then
    echo "pinsage-native: nvcc not found; building the CPU-only library (GPU entry points report 'built without CUDA')"
    mode="cpu"
fi
cc="${CC:-cc}"
archs="${PN_CUDA_ARCHS:-80 90}"
lib="$out/libpinsage_native.so"
harness="$out/pn_test"
stamp="$out/.build-mode"
wanted="$mode archs=$archs"

mkdir -p "$out"
newest_source="$(find "$here/include" "$here/src" "$here/test" "$here/build.sh" -type f -newer "$lib" 2>/dev/null | head -1 || true)"
if [[ -f "$lib" && -f "$harness" && -z "$newest_source" && "$(cat "$stamp" 2>/dev/null)" == "$wanted" ]] &&
   [[ -z "$(find "$here/include" "$here/src" "$here/test" -type f -newer "$harness" | head -1)" ]]; then
    echo "pinsage-native: up to date ($wanted)"
    exit 0
fi

cflags=(-std=c11 -O2 -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I"$here/include" -I"$here/src")
objs=("$out/cpu_reference.o" "$out/pn_common.o")
"$cc" "${cflags[@]}" -c "$here/src/cpu_reference.c" -o "$out/cpu_reference.o"
"$cc" "${cflags[@]}" -c "$here/src/pn_common.c" -o "$out/pn_common.o"

rm -f "$lib.tmp"
if [[ "$mode" == "cuda" ]]; then
    gencode=()
    last=""
    for a in $archs; do gencode+=(-gencode "arch=compute_$a,code=sm_$a"); last="$a"; done
    gencode+=(-gencode "arch=compute_$last,code=compute_$last")
    echo "pinsage-native: nvcc build ($("$nvcc" --version | tail -1)), SASS for: $archs, PTX: compute_$last"
    "$nvcc" -O3 -std=c++17 --threads 0 -Xcompiler -fPIC,-fvisibility=hidden "${gencode[@]}" \
        -I"$here/include" -I"$here/src" -c "$here/src/pinsage_native.cu" -o "$out/pinsage_native.o"
    # static cudart: the library loads on machines without a driver; --exclude-libs keeps its symbols private
    # so a second CUDA runtime in the same process (e.g. the JavaCPP presets) cannot interpose on ours
    "$nvcc" -shared -cudart static -Xlinker --exclude-libs,ALL -Xlinker -z,defs \
        "${objs[@]}" "$out/pinsage_native.o" -o "$lib.tmp" -ldl -lpthread -lrt
else
    echo "pinsage-native: CPU-only build with $cc"
    "$cc" "${cflags[@]}" -c "$here/src/pn_nocuda.c" -o "$out/pn_nocuda.o"
    "$cc" -shared -Wl,-z,defs "${objs[@]}" "$out/pn_nocuda.o" -o "$lib.tmp" -lm
fi
mv -f "$lib.tmp" "$lib"

"$cc" -std=c11 -O2 -Wall -Wextra -Werror -I"$here/include" "$here/test/pn_test.c" -o "$harness.tmp" \
    -L"$out" -lpinsage_native -Wl,-rpath,'$ORIGIN' -lm
mv -f "$harness.tmp" "$harness"
echo "$wanted" > "$stamp"
echo "pinsage-native: built $lib ($mode) and $harness"
