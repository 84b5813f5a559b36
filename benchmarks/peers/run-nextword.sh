#!/usr/bin/env bash
# descent4j against PyTorch on the full-batch next-word workload (issue 16): 20,000 examples, 1001 classes,
# one-hot previous word, linear softmax with bias, Adam, 100 steps; torch in float64 and float32 at 1 and 2
# threads, descent4j in double at 1 and 2 threads (its trainer's threads setting). Prints each side's ms/step and the ratios
# torch ÷ descent4j at the same thread count. Not part of CI.
# torch computes the one-hot linear layer as a column lookup (torch_nextword.py --model lookup); TORCH_MODELS="lookup
# dense" adds the naive dense one-hot matrix product, whose speed depends on torch's BLAS.
#
# Usage (from the repository root, after `mvn -B -o -DskipTests package -pl benchmarks -am`):
#   benchmarks/peers/run-nextword.sh [STEPS]
# PYTHON=/path/to/python3 picks the interpreter; otherwise the first of /usr/bin/python3, python3, python that
# can `import torch` (Debian's python3-torch installs it for /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS="${1:-100}"
JAR=benchmarks/target/benchmarks.jar
DATA=../shared/data
[ -d "$DATA" ] || DATA=shared/data

find_python() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(/usr/bin/python3)
  command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")
  command -v python >/dev/null 2>&1 && candidates+=("$(command -v python)")
  for py in "${candidates[@]}"; do
    if [ -x "$py" ] && "$py" -c 'import torch' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

if ! PY="$(find_python)"; then
  echo "skipped: no Python interpreter with PyTorch found (tried \$PYTHON, /usr/bin/python3, python3, python);"
  echo "         install Debian's python3-torch or set PYTHON=/path/to/python-with-torch"
  exit 0
fi
if [ ! -f "$JAR" ]; then
  echo "error: $JAR is missing; build it with: mvn -B -o -DskipTests package -pl benchmarks -am" >&2
  exit 1
fi
if [ ! -f "$DATA/tinyshakespeare.txt" ]; then
  echo "error: $DATA/tinyshakespeare.txt is missing" >&2
  exit 1
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
echo "python: $PY ($("$PY" -c 'import re, torch; m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show()); print("torch", torch.__version__, "BLAS", m.group(1) if m else "?")'))"
# descent4j at 1 and 2 threads (the trainer's threads setting; the model is the same bit for bit)
declare -A OURS_MS
for threads in 1 2; do
  EXPORT=()
  [ "$threads" = 1 ] && EXPORT=(--export "$TMP/examples.csv")
  OURS="$(OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" java -cp "$JAR" io.github.descent4j.benchmarks.NextWordFullBatch \
    --data "$DATA" --examples 20000 --steps "$STEPS" --repeats 3 --threads "$threads" "${EXPORT[@]}" | tail -1)"
  echo "$OURS"
  OURS_MS[$threads]="$(echo "$OURS" | sed -E 's/.*median ([0-9.]+) ms\/step.*/\1/')"
done
for model in ${TORCH_MODELS:-lookup}; do
  for dtype in float64 float32; do
    for threads in 1 2; do
      LINE="$("$PY" benchmarks/peers/torch_nextword.py "$TMP/examples.csv" --steps "$STEPS" --dtype "$dtype" \
        --threads "$threads" --model "$model")"
      echo "$LINE"
      MS="$(echo "$LINE" | sed -E 's/.*median ([0-9.]+) ms\/step.*/\1/')"
      awk -v t="$MS" -v d="${OURS_MS[$threads]}" -v m="$model" -v dt="$dtype" -v th="$threads" \
        'BEGIN { printf "  ratio torch %s %s threads=%s ÷ descent4j float64 threads=%s = %.2f (above 1: descent4j is faster)\n", m, dt, th, th, t / d }'
    done
  done
done
