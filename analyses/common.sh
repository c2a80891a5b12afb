# Shared by the paper recipes (analyses/<paper>.sh): scale switch, the run pool, item stamps.
#
# A recipe sets `paper` (its directory name under analyses/) and sources this file with its own
# arguments. It then gets:
#   $scale        quick | default            (--quick selects quick)
#   $out          where results, figures and tables go: analyses/<paper>/ (quick: .../quick/)
#   $ckdir        the run pool shared by all recipes: checkpoints/pool/ (quick: checkpoints/pool-quick/);
#                 a run's name encodes its protocol, network, method, radius and seed, so a run two
#                 papers share (e.g. SGD under the same protocol) is trained once
#   $bin $plot    the sharpscope binary and the plotting Python (/usr/bin/python3)
#   run_train NAME FLAGS...   trains $ckdir/NAME.pt once, its log beside it ($ckdir/NAME.train.h5,
#                             the trainer's own default); a finished run is skipped, an interrupted
#                             one resumed (--resume), so every recipe and a rerun reuse it
#   log_of NAME               the log path of a pool run
#   item ID TITLE FUNCTION    runs FUNCTION once: a stamp in $out/.stamps/ID marks it done, and
#                             the seconds it took go to $out/timings.tsv (--force re-runs items)
#   manifest_add FILE ROW COLUMN NAME   one line of a run manifest (row, column, log path), the
#                             input of plots/runs.py tables and curves
# Environment: SHARPSCOPE_BUILD_DIR (default build), SHARPSCOPE_REPRO_OUT (default analyses),
# SHARPSCOPE_REPRO_CHECKPOINTS (default checkpoints), SHARPSCOPE_THREADS (default 2),
# SHARPSCOPE_NO_SETUP=1 (do not run scripts/setup.sh; the binary must exist).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scale=default
force=0
only=()
for arg in "$@"; do
  case $arg in
    --quick) scale=quick ;;
    --force) force=1 ;;
    --only=*) IFS=, read -r -a only <<<"${arg#--only=}" ;;
    -h | --help)
      sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "$(basename "$0"): unknown argument '$arg' (expected --quick, --force, --only=ID,ID)" >&2
      exit 2
      ;;
  esac
done

bin=${SHARPSCOPE_BUILD_DIR:-build}/sharpscope
plot=/usr/bin/python3
threads=${SHARPSCOPE_THREADS:-2}
if [[ ${SHARPSCOPE_NO_SETUP:-0} != 1 ]]; then
  scripts/setup.sh >/dev/null
fi
[[ -x $bin ]] || { echo "$(basename "$0"): $bin not found (build first: scripts/setup.sh)" >&2; exit 3; }

out_root=${SHARPSCOPE_REPRO_OUT:-analyses}
ck_root=${SHARPSCOPE_REPRO_CHECKPOINTS:-checkpoints}
if [[ $scale == quick ]]; then
  out=$out_root/$paper/quick
  ckdir=$ck_root/pool-quick
else
  out=$out_root/$paper
  ckdir=$ck_root/pool
fi
mkdir -p "$out/.stamps" "$ckdir"

# Trains $ckdir/NAME.pt with the given flags, once. The log is the trainer's default
# <stem>.train.h5 beside the checkpoint, so whoever reads a pool run finds its log there.
run_train() {
  local name=$1
  shift
  local ck=$ckdir/$name.pt
  [[ -f $ck.done ]] && return 0
  local resume=()
  # A checkpoint without its done-stamp was interrupted (Ctrl-C saves it at --out): continue it.
  [[ -f $ck ]] && resume=(--resume "$ck")
  # Wall and CPU seconds (elapsed, user, system) appended to NAME.pt.time: on a shared machine the
  # CPU time is the cost that does not depend on what else runs.
  # `exit`, not `return`: callers write `train ... && manifest_add ...`, where bash ignores set -e
  # inside the function, so a failed or interrupted run (exit 130 after Ctrl-C) must stop the recipe
  # here rather than be marked done. A diverged run exits 0: divergence is a result.
  if ! /usr/bin/time -a -o "$ck.time" -f '%e %U %S' \
    "$bin" train --data fmnist --threads "$threads" "$@" --out "$ck" --quiet "${resume[@]}"; then
    echo "$(basename "$0"): training $name failed or was interrupted; the next call resumes it" >&2
    exit 1
  fi
  touch "$ck.done"
}

log_of() { echo "$ckdir/$1.train.h5"; }
ck_of() { echo "$ckdir/$1.pt"; }

manifest_add() { printf '%s\t%s\t%s\n' "$2" "$3" "$(log_of "$4")" >>"$1"; }
# Starts a fresh manifest (an item rebuilds its manifests from the pool each time it runs).
manifest_new() { : >"$1"; }

# children_cpu VAR: sets VAR to the CPU seconds (user + system) used so far by this shell's finished
# children, from `times` (called in this shell: a command substitution's subshell has its own).
children_cpu() {
  times >"$out/.times"
  printf -v "$1" '%s' "$(/usr/bin/python3 -c '
import re, sys
line = open(sys.argv[1]).read().splitlines()[-1]
print(int(round(sum(60 * int(m) + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", line)))))' "$out/.times")"
}

item() {
  local id=$1 title=$2 fn=$3
  if ((${#only[@]})); then
    local wanted=0 o
    for o in "${only[@]}"; do [[ $o == "$id" ]] && wanted=1; done
    ((wanted)) || return 0
  fi
  local stamp=$out/.stamps/$id
  if [[ -f $stamp && $force == 0 ]]; then
    echo "[$paper] $id: done ($(cat "$stamp")), skipped"
    return 0
  fi
  echo "[$paper] $id: $title"
  local start=$SECONDS cpu0 cpu1
  children_cpu cpu0
  "$fn"
  children_cpu cpu1
  local took=$((SECONDS - start)) cpu=$((cpu1 - cpu0))
  [[ -s $out/timings.tsv ]] || printf 'item\tscale\twall_s\tcpu_s\tfinished\n' >"$out/timings.tsv"
  printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$scale" "$took" "$cpu" "$(date -u +%FT%TZ)" >>"$out/timings.tsv"
  echo "${took}s wall, ${cpu}s CPU at $(date -u +%FT%TZ)" >"$stamp"
  echo "[$paper] $id: ${took}s wall, ${cpu}s CPU"
}

# Runs a plots/ script quietly; its output goes to $out/plots.log (shown on failure).
draw() {
  if ! "$plot" "$@" >>"$out/plots.log" 2>&1; then
    tail -20 "$out/plots.log" >&2
    return 1
  fi
}

# ---- Networks and protocols shared by the recipes (docs/reproductions.md, "Stand-ins") ----
# Each network array holds the architecture and the data it trains on; n_<net> and e_<net> are its
# training examples and epochs (for PSAM's threshold in steps). Default scale: Fashion-MNIST's first
# 10 000 training images (the whole training set of a run: enough for the MLP to interpolate, the
# regime the CIFAR experiments are in), tested on all 10 000 test images.
if [[ $scale == quick ]]; then
  seeds3=(0 1) seeds5=(0 1)
  mlp=(--arch mlp:64 --train-subset 1000 --test-subset 1000 --eval-train-subset 1000 --epochs 2)
  n_mlp=1000 e_mlp=2
  lenet=(--arch lenet5 --train-subset 500 --test-subset 500 --eval-train-subset 500 --epochs 1)
  n_lenet=500 e_lenet=1
  cnn10k=(--arch cnn:4,8 --train-subset 500 --test-subset 500 --eval-train-subset 500 --epochs 2)
  cnn60k=(--arch cnn:4,8 --train-subset 1000 --test-subset 500 --eval-train-subset 500 --epochs 1)
else
  seeds3=(0 1 2) seeds5=(0 1 2 3 4)
  mlp=(--arch mlp:500,500 --train-subset 10000 --test-subset 0 --eval-train-subset 10000 --epochs 10)
  n_mlp=10000 e_mlp=10
  lenet=(--arch lenet5 --train-subset 10000 --test-subset 0 --eval-train-subset 10000 --epochs 10)
  n_lenet=10000 e_lenet=10
  cnn10k=(--arch cnn --train-subset 10000 --test-subset 0 --eval-train-subset 10000 --epochs 10)
  cnn60k=(--arch cnn --train-subset 0 --test-subset 0 --eval-train-subset 10000 --epochs 2)
fi
# The column labels of the two settings; analyses/paper_values/*.csv use the same strings.
label_mlp="MLP (CIFAR-10 stand-in)"
label_lenet="LeNet-5 (CIFAR-100 stand-in)"
label_of() { [[ $1 == lenet ]] && echo "$label_lenet" || echo "$label_mlp"; } # NET: mlp | lenet
# G: the generalization protocol of 000 and 001 (the common SAM-paper CIFAR settings).
proto_g=(--batch-size 128 --lr 0.1 --lr-schedule cosine --momentum 0.9 --weight-decay 5e-4)
# T: 003 section 5.3 (G with label smoothing 0.1).
proto_t=("${proto_g[@]}" --label-smoothing 0.1)
# P: 002 section 5.1 (batch 256 for m-sharpness with m = 32, Nesterov momentum 0.9).
proto_p=(--batch-size 256 --m-sharpness 32 --nesterov --lr 0.1 --lr-schedule cosine --momentum 0.9 --weight-decay 5e-4)

# The trainer flags of a method's display name.
flags_of() {
  case $1 in
    SGD) echo "--optimizer sgd" ;;
    SAM | SAM-1) echo "--optimizer sam" ;;
    SAM-[0-9]*) echo "--optimizer sam-${1#SAM-}" ;;
    MSAM-2) echo "--optimizer msam-2 --ratio 1:2" ;; # 000's default ratio (kim.sh header)
    MSAM-2@*) echo "--optimizer msam-2 --ratio ${1#MSAM-2@}" ;; # another rho1:rho2 (000 Table 6)
    MSAM-[0-9]*) echo "--optimizer msam-${1#MSAM-}" ;;
    ESAM) echo "--optimizer esam" ;;
    GSAM) echo "--optimizer gsam" ;;
    ASAM) echo "--optimizer asam" ;;
    Rand-SAM) echo "--optimizer rand-sam" ;;
    StableSAM) echo "--optimizer stablesam" ;;
    StableASAM) echo "--optimizer stableasam" ;;
    SGD-SAM) echo "--optimizer sam --schedule sgd-sam" ;;
    SAM-SGD) echo "--optimizer sam --schedule sam-sgd" ;;
    PSAM) echo "--optimizer psam" ;;
    *) echo "flags_of: unknown method $1" >&2; return 1 ;;
  esac
}

# train PROTO NET METHOD RHO SEED [TAG FLAGS...]: trains the run once (PROTO: g, t or p; NET: the
# name of a network array above) and sets $run to its pool name PROTO-NET-method-rRHO[-TAG]-sSEED.
train() {
  local proto=$1 net=$2 method=$3 rho=$4 seed=$5 tag=${6:-}
  shift 5
  (($#)) && shift
  local -n net_flags=$net proto_flags=proto_$proto
  local flags key=${method,,}
  flags=$(flags_of "$method") || exit 1
  # One name per distinct run: SAM-1 is SAM, and SGD ignores the radius.
  [[ $key == sam-1 ]] && key=sam
  [[ $key == sgd ]] && rho=0
  key=${key//@/-ratio}
  key=${key//:/-}
  run=$proto-$net-$key-r$rho${tag:+-$tag}-s$seed
  # shellcheck disable=SC2086
  run_train "$run" "${net_flags[@]}" "${proto_flags[@]}" $flags --rho "$rho" --seed "$seed" "$@"
}
