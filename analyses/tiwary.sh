#!/usr/bin/env bash
# Tiwary and Aananth, "1st-Order Magic: Analysis of Sharpness-Aware Minimization" (001), every
# experiment at laptop scale:
#   table2  SAM-N for N = 1, 2, 3, 5 (rho = 0.05, rho/N steps): accuracy, standardized L^Asc sharpness
#           (the one-step ascent of its Eq. 4, whatever N trained the model), L^Max and L^Avg
#           sharpness, generalization gap; mean ± std over 3 seeds, grouped by the checkpoints'
#           optimizer (so the N stay apart)                                  -> table2.md
#   table3  Rand-SAM vs SGD and SAM (rho = 0.05), two settings              -> table3.md
#   fig1    2-D landscapes of an SGD and a SAM solution on one scale       -> fig1.png
# Stand-ins: Fashion-MNIST for CIFAR-10/100; the MLP 784-500-500-10 for WRN-28-10 (CIFAR-10 column),
# LeNet-5 for the CIFAR-100 column (a second model). Training: 000's protocol (kim.sh), which the
# runs share with it. 001 copies its SGD and SAM rows from Foret et al. (2021); we train them.
# Usage: analyses/tiwary.sh [--quick] [--force] [--only=ID,...]
paper=tiwary
source "$(dirname "$0")/common.sh"

if [[ $scale == quick ]]; then
  subset=1000 avg=8 grid=7 surface_subset=256
else
  subset=5000 avg=32 grid=21 surface_subset=2048
fi
seeds=("${seeds3[@]}")

table2() {
  local models=() n s
  for n in 1 2 3 5; do
    for s in "${seeds[@]}"; do train g mlp "SAM-$n" 0.05 "$s" && models+=("$(ck_of "$run")"); done
  done
  # Every model is measured with the same one-step ascent (--kinds asc), so the sharpness is
  # "standardized" across N; L^Max takes the max over 5 ascent steps, L^Avg 32 random directions.
  "$bin" sharpness "${models[@]}" --rho 0.05 --kinds asc,max,avg --max-steps 5 --avg-samples "$avg" \
    --subset "$subset" --group optimizer --threads "$threads" --quiet --out "$out/table2.h5"
  draw plots/paper_figures.py sharpness-table --layout tiwary-table2 --rows "N = 1,N = 2,N = 3,N = 5" \
    --file "$label_mlp=$out/table2.h5" --paper analyses/paper_values/001_table2.csv \
    --title "001 Table 2: SAM-N, rho = 0.05, $label_mlp (sharpness on the first $subset training images)" \
    --out "$out/table2"
}

table3() {
  local man=$out/table3.tsv net label m s
  manifest_new "$man"
  for net in mlp lenet; do
    label=$(label_of $net)
    for m in SGD Rand-SAM SAM; do
      for s in "${seeds[@]}"; do train g $net "$m" 0.05 "$s" && manifest_add "$man" "$m" "$label" "$run"; done
    done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/table3" \
    --paper analyses/paper_values/001_table3.csv --title "001 Table 3: test accuracy (%), rho = 0.05"
}

fig1() {
  local files=() m
  for m in SGD SAM; do
    train g mlp "$m" 0.05 0
    # Filter-normalized random directions with the same seeds for both models (Li et al. 2018).
    "$bin" landscape interp "$(ck_of "$run")" --dirs rand:1,rand:2 --x -1:1:$grid --y -1:1:$grid \
      --subset "$surface_subset" --threads "$threads" --quiet --out "$out/fig1-${m,,}.h5"
    files+=("$out/fig1-${m,,}.h5")
  done
  draw plots/paper_figures.py surfaces "${files[@]}" --labels "SGD,SAM" --out "$out/fig1.png"
}

item table2 "Table 2: standardized sharpness of SAM-N" table2
item table3 "Table 3: Rand-SAM vs SGD" table3
item fig1 "Fig. 1: landscapes of an SGD and a SAM solution" fig1
echo "tiwary: results, figures and tables in $out/"
