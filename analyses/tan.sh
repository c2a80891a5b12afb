#!/usr/bin/env bash
# Tan, Zhang, Liu, Wang, Hao, "Stabilizing Sharpness-aware Minimization Through A Simple
# Renormalization Strategy" (003), every experiment at laptop scale:
#   fig1    ||grad f(w)|| / ||grad f(w^asc)|| per step of SAM at rho 0.01, 0.05, 0.2   -> fig1.png
#   fig3    <grad f(w^asc), grad f(w)> - ||grad f(w)||^2 per step (same runs)            -> fig3.png
#   fig2    f(w + a e1) along the top Hessian eigenvector over the epochs of an SGD run -> fig2.png
#   fig4    saddle toy: success rate vs lr of GD, SAM, StableSAM (paper grid; and beyond) -> fig4.png
#   fig5..7 algorithmic stability: constant lr (5), + weight decay 5e-4 (6), cosine lr (7) -> figN.png
#   table2  SGD, SAM, StableSAM, ASAM, StableASAM (best test accuracy, radius sweeps)     -> table2.md
#   table3  the ImageNet table, scaled down                                               -> table3.md
#   table4  SAM vs StableSAM under 20-80 % label noise (maximum test accuracy)            -> table4.md
# Stand-ins: Fashion-MNIST for MNIST, CIFAR-10/100 and ImageNet. The BN conv net `cnn` for ResNet-18
# (Fig. 1) and ResNet-20 (Fig. 2) and, on all 60 000 images, for ResNet-50/101/152 (Table 3); the MLP
# 784-500-500-10 (003's own FCN) for the CIFAR-10 rows and LeNet-5 for the CIFAR-100 rows of Table 2;
# the MLP with AdamW for the ViT-S/32 row. Protocol T (003 section 5.3): batch 128, lr 0.1 cosine,
# momentum 0.9, weight decay 5e-4, label smoothing 0.1.
# Usage: analyses/tan.sh [--quick] [--force] [--only=ID,...]
paper=tan
source "$(dirname "$0")/common.sh"

if [[ $scale == quick ]]; then
  saddle_paper=(--lrs 0.001:0.3:20:log --starts 500 --iters 300)
  saddle_beyond=(--lrs 0.001:1:10:log --starts 300 --iters 300)
  eig_subset=128 eig_iter=20 stab=(--train-subset 300 --test-subset 300 --epochs 3) stab_lenet=(--train-subset 200 --test-subset 200 --epochs 2)
  sweep_sam=(0.05 0.1) sweep_asam=(0.5 1) noises=(0.2 0.8) eig_every=1
else
  saddle_paper=(--lrs 0.001:0.3:100:log --starts 10000 --iters 1000)
  saddle_beyond=(--lrs 0.001:1:46:log --starts 4000 --iters 1000)
  eig_subset=512 eig_iter=100 stab=(--train-subset 2000 --test-subset 2000 --epochs 60) stab_lenet=(--train-subset 2000 --test-subset 2000 --epochs 60)
  sweep_sam=(0.01 0.02 0.05 0.1 0.2) sweep_asam=(0.1 0.2 0.5 1 2) noises=(0.2 0.4 0.6 0.8) eig_every=2
fi
t() { train t "$@"; }
# 003's ImageNet settings: batch 256, SGD momentum, peak lr 0.1 cosine, weight decay 1e-4.
proto_i=(--batch-size 256 --lr 0.1 --lr-schedule cosine --momentum 0.9 --weight-decay 1e-4)
# Its ViT-S/32 settings: AdamW, lr 3e-4 cosine, weight decay 0.3, batch 256.
proto_v=(--base adamw --batch-size 256 --lr 3e-4 --lr-schedule cosine --weight-decay 0.3)

fig4() {
  local c=(--optimizers gd,sam,stablesam --rho 0.05,0.2,0.5 --threads "$threads" --quiet)
  "$bin" toy saddle "${c[@]}" "${saddle_paper[@]}" --out "$out/fig4.h5"
  "$bin" toy saddle "${c[@]}" "${saddle_beyond[@]}" --out "$out/fig4-beyond.h5"
  draw plots/paper_figures.py saddle "$out/fig4.h5" --out "$out/fig4.png"
  draw plots/paper_figures.py saddle "$out/fig4-beyond.h5" --report-from 0.3 --out "$out/fig4-beyond.png"
}

fig1_fig3() {
  local logs=() r
  for r in 0.01 0.05 0.2; do t cnn10k SAM "$r" 0 && logs+=("$(log_of "$run")"); done
  "$plot" plots/paper_figures.py ratio "${logs[@]}" --labels "rho=0.01,rho=0.05,rho=0.2" --log-y \
    --out "$out/fig1.png" | tee "$out/fig1.txt"
  "$plot" plots/paper_figures.py excess "${logs[@]}" --labels "rho=0.01,rho=0.05,rho=0.2" --log-y \
    --out "$out/fig3.png" | tee "$out/fig3.txt"
}

fig2() {
  # One SGD-with-momentum run (protocol T, no ascent), a checkpoint every $eig_every epochs.
  t cnn10k SGD 0 0 "every$eig_every" --save-every-epochs "$eig_every"
  local stem=$ckdir/$run cks=() f
  for f in "$stem".epoch*.pt; do cks+=("$f"); done
  # The epochs in order; the last snapshot is the final model (the epochs are a multiple of
  # $eig_every), so the run's final checkpoint would draw it twice.
  mapfile -t cks < <(printf '%s\n' "${cks[@]}" | sort -V)
  # e1 by power iteration (PyHessian's method), alpha in [-0.5, 0.5] as in the paper.
  "$bin" landscape eigen "${cks[@]}" --top 1 --method power --max-iter "$eig_iter" --x -0.5:0.5:21 \
    --subset "$eig_subset" --threads "$threads" --quiet --out "$out/fig2.h5"
  "$plot" plots/paper_figures.py eigen-epochs "$out/fig2.h5" --out "$out/fig2.png" | tee "$out/fig2.txt"
}

# 003 Figs. 5-7: S and S' differ in one example; FCN (2 x 500) and LeNet-5; plain SGD base
# optimizer (no momentum), lr 0.05, rho 0.05, 60 epochs, 3 seeds (seed = initialization and batch
# order; the pair of examples is drawn with the same seed), the mean plotted.
stability_figure() { # ID TITLE EXTRA-FLAGS...
  local id=$1 title=$2 model s files_fcn=() files_lenet=()
  shift 2
  for s in "${seeds3[@]}"; do
    for model in fcn lenet5; do
      local f=$out/$id-$model-s$s.h5 size=("${stab[@]}")
      [[ $model == lenet5 ]] && size=("${stab_lenet[@]}")
      # The result file holds every curve; the runs directory (6 runs with 60 epoch checkpoints
      # each) is only needed while it is computed, and a half-finished one resumes. A file from an
      # earlier call is reused, unless --force.
      [[ $force == 1 ]] && rm -f "$f"
      if [[ ! -f $f ]]; then
        "$bin" stability --model "$model" --optimizer sgd,sam,stablesam --lr 0.05 --rho 0.05 "${size[@]}" \
          --seed "$s" --pair-seed "$s" --threads "$threads" --quiet "$@" --out "$f"
        rm -rf "${f%.h5}.runs"
      fi
      [[ $model == fcn ]] && files_fcn+=("$f") || files_lenet+=("$f")
    done
  done
  local joined_fcn joined_lenet
  joined_fcn=$(IFS=,; echo "${files_fcn[*]}")
  joined_lenet=$(IFS=,; echo "${files_lenet[*]}")
  "$plot" plots/paper_figures.py stability --column "FCN (MNIST stand-in)" "$joined_fcn" \
    --column "LeNet-5 (CIFAR-10 stand-in)" "$joined_lenet" --title "003 Fig. ${id#fig}: $title" \
    --out "$out/$id.png" | tee "$out/$id.txt"
}
fig5() { stability_figure fig5 "constant lr, no momentum, no weight decay"; }
fig6() { stability_figure fig6 "constant lr, weight decay 5e-4" --weight-decay 5e-4; }
fig7() { stability_figure fig7 "cosine lr schedule" --lr-schedule cosine; }

# Each method's radius is swept on seed 0 (SAM/StableSAM over 0.01..0.2, ASAM/StableASAM over
# 0.1..2, as 003); the best radius (best test accuracy) gets the other seeds. The LeNet-5 rows use
# the radii selected on the MLP.
table2() {
  local man=$out/table2.tsv m r s best grid sweep_man net
  manifest_new "$man"
  : >"$out/table2-chosen.txt"
  declare -A chosen
  for m in SAM StableSAM ASAM StableASAM; do
    grid=("${sweep_sam[@]}")
    [[ $m == *ASAM ]] && grid=("${sweep_asam[@]}")
    sweep_man=$out/table2-sweep-${m,,}.tsv
    manifest_new "$sweep_man"
    for r in "${grid[@]}"; do t mlp "$m" "$r" 0 && manifest_add "$sweep_man" "$r" "$m" "$run"; done
    best=$("$plot" plots/runs.py best "$sweep_man" --metric best_test_accuracy 2>>"$out/plots.log")
    chosen[$m]=$best
    echo "$m: rho = $best" >>"$out/table2-chosen.txt"
  done
  for net in mlp lenet; do
    local label
    label=$(label_of $net)
    for s in "${seeds3[@]}"; do t $net SGD 0 "$s" && manifest_add "$man" "$label" SGD "$run"; done
    for m in SAM StableSAM ASAM StableASAM; do
      for s in "${seeds3[@]}"; do t $net "$m" "${chosen[$m]}" "$s" && manifest_add "$man" "$label" "$m" "$run"; done
    done
  done
  draw plots/runs.py table "$man" --metric best_test_accuracy --row-label model --out "$out/table2" \
    --paper analyses/paper_values/003_table2.csv \
    --title "003 Table 2: best test accuracy (%), radii selected on the MLP: SAM ${chosen[SAM]}, StableSAM ${chosen[StableSAM]}, ASAM ${chosen[ASAM]}, StableASAM ${chosen[StableASAM]}"
}

table3() {
  local man=$out/table3.tsv m r
  manifest_new "$man"
  for m in SGD SAM StableSAM ASAM StableASAM; do
    r=0.05 && [[ $m == *ASAM ]] && r=1.0
    train i cnn60k "$m" "$r" 0 && manifest_add "$man" "cnn on all 60k (ResNet stand-in)" "${m/SGD/SGD\/AdamW}" "$run"
  done
  for m in SGD SAM StableSAM ASAM StableASAM; do
    r=0.2 && [[ $m == *ASAM ]] && r=2.0
    train v mlp "$m" "$r" 0 && manifest_add "$man" "MLP + AdamW (ViT-S/32 stand-in)" "${m/SGD/SGD\/AdamW}" "$run"
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --row-label model --out "$out/table3" \
    --paper analyses/paper_values/003_table3.csv --title "003 Table 3 (ImageNet, scaled down): top-1 test accuracy (%), 1 seed"
}

table4() {
  local man=$out/table4.tsv m noise s
  manifest_new "$man"
  for noise in "${noises[@]}"; do
    for m in SAM StableSAM; do
      for s in "${seeds3[@]}"; do
        t mlp "$m" 0.05 "$s" "noise$noise" --label-noise "$noise" && manifest_add "$man" "$noise" "$m" "$run"
      done
    done
  done
  draw plots/runs.py table "$man" --metric best_test_accuracy --row-label "label noise" --out "$out/table4" \
    --paper analyses/paper_values/003_table4.csv \
    --title "003 Table 4: maximum test accuracy (%) under label noise, rho = 0.05, $label_mlp"
}

item fig4 "Fig. 4: saddle toy" fig4
item fig1_fig3 "Figs. 1 and 3: gradient-norm ratio and inner-product excess during SAM training" fig1_fig3
item fig2 "Fig. 2: loss along the top eigenvector over training" fig2
item fig5 "Fig. 5: stability, constant lr" fig5
item fig6 "Fig. 6: stability with weight decay" fig6
item fig7 "Fig. 7: stability with a cosine schedule" fig7
item table2 "Table 2: SGD, SAM, StableSAM, ASAM, StableASAM" table2
item table4 "Table 4: label noise" table4
item table3 "Table 3: ImageNet analogue" table3
echo "tan: results, figures and tables in $out/"
