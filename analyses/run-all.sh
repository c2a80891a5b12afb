#!/usr/bin/env bash
# Runs every reproduction recipe in turn: analyses/{tiwary,park,kim,tan}.sh (docs/reproductions.md).
# Each recipe skips the items already done (stamps in analyses/<paper>/.stamps/) and every training
# run it finds finished in the shared pool (checkpoints/pool/), and resumes an interrupted run from
# its checkpoint, so an interrupted run-all continues where it stopped: just run it again.
#
#   analyses/run-all.sh            default scale; about 3 h on 2 free cores (the sum of the item
#                                  times measured in docs/reproductions.md "Time"; a busy machine
#                                  takes longer)
#   analyses/run-all.sh --quick    the smoke-test scale, about 6 minutes in all (measured)
#   analyses/run-all.sh --force    redo every item (finished pool runs are still reused)
#
# Each recipe's item timings go to analyses/<paper>/timings.tsv; this script's log to
# analyses/run-all.log (quick: analyses/run-all-quick.log).
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
quick=0
for a in "$@"; do [[ $a == --quick ]] && quick=1; done
# Minutes per recipe at the default scale on 2 free cores: the sums of its items' measured wall
# times (docs/reproductions.md, "Time"), rounded up.
declare -A estimate=([tiwary]=14 [park]=30 [kim]=65 [tan]=70)
log=${SHARPSCOPE_REPRO_OUT:-analyses}/run-all.log
((quick)) && log=${SHARPSCOPE_REPRO_OUT:-analyses}/run-all-quick.log
mkdir -p "$(dirname "$log")"
total=0
for r in tiwary park kim tan; do total=$((total + estimate[$r])); done
if ((quick)); then
  echo "run-all (quick): every recipe's smoke test; a few minutes" | tee -a "$log"
else
  echo "run-all: about $total minutes on 2 free cores in all ($(for r in tiwary park kim tan; do printf '%s %s, ' "$r" "${estimate[$r]}"; done)resumable)" | tee -a "$log"
fi
start=$SECONDS
for r in tiwary park kim tan; do
  t0=$SECONDS
  echo "== $r ($(date -u +%FT%TZ))" | tee -a "$log"
  analyses/$r.sh "${args[@]}" 2>&1 | tee -a "$log"
  echo "== $r: $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s" | tee -a "$log"
done
echo "run-all: done in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s" | tee -a "$log"
