#!/usr/bin/env bash
# Prepares the PyTorch peer of `pinsage bench train-step` and prints the path of its Python on the last line of
# stdout (everything else goes to stderr): a virtual environment with PyTorch 2.x and NumPy from pip, whose x86-64
# wheels bring their own optimised BLAS (MKL). Debian's python3-torch is not used on purpose: it links the system's
# libblas.so.3, which is Netlib's single-threaded reference BLAS unless libopenblas0 is installed.
#
# PINSAGE_PEER_VENV names the environment's directory (default: ~/.cache/pinsage/peer-venv); an environment that
# already imports torch and numpy is used as it is. pip's own configuration (index, mirrors, proxies) applies.
set -euo pipefail

venv="${PINSAGE_PEER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/pinsage/peer-venv}"
if ! "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
    echo "peer: installing PyTorch and NumPy into $venv (once; a few minutes)" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --retries 1 --timeout 20 torch numpy >&2
fi
echo "$venv/bin/python"
