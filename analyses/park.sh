#!/usr/bin/env bash
# Park, "On the Understanding of Sharpness-Aware Minimization and its Application: A Perspective on
# Escape Efficiency and Asymmetric Valleys" (002; master's thesis, KAIST, 2022), every experiment at
# laptop scale:
#   fig3_1   L and L~ on a symmetric (sextic) and an asymmetric (LINEX) valley, two radius ranges each
#   fig3_2   Theorem 3.3.2 on R^2: L = linex(w1) + linex(w2), minima of L and L~      (toy valley2d)
#   fig7_1   the (r, p, c, 0)-asymmetric valley of Lemma 7.1.4 and its interval      (toy valley)
#   table5_1 steps to escape an SGD minimum, SGD vs SAM at rho 0.05..0.7, 100 trials (escape-test)
#   table5_2 SGD, SAM, SGD->SAM, SAM->SGD test accuracy, 5 seeds, two settings
#   fig5_1, fig5_2, fig7_2, fig7_3  train/test error on the lines SGD <-> SGD->SAM and
#            SAM <-> SAM->SGD, for each setting (7.2/7.3: the second setting)
#   fig5_3   SGD->SAM accuracy and distance to the SGD solution vs rho (a) and switch epoch (b)
#   table5_3 PSAM (n = 20, E = 0.75 T) accuracy and relative cost
#   fig5_4   PSAM accuracy vs n, SGD dashed
# Stand-ins: Fashion-MNIST for CIFAR-10/100; the MLP 784-500-500-10 (CIFAR-10 setting, rho 0.05 as
# 002's PreActResNet/WRN) and LeNet-5 as the second setting in place of CIFAR-100 (rho 0.1: 002's
# C100 radius is twice its C10 one). Protocol P (002 section 5.1): batch 256, m-sharpness m = 32,
# Nesterov momentum 0.9, cosine lr from 0.1, weight decay 5e-4, switch at 75 % of training.
# Usage: analyses/park.sh [--quick] [--force] [--only=ID,...]
paper=park
source "$(dirname "$0")/common.sh"

if [[ $scale == quick ]]; then
  trials=5 max_steps=60 escape_subset=1000 min_epochs=10 lr_grid=(0.6) rhos_escape=0.05,0.5
  valley_grid=41 line_subset=500 line_points=11 rhos53=(0.02 0.1) switches53=(0.5 0.9) periods54=(2 20)
else
  trials=100 max_steps=400 escape_subset=4096 min_epochs=40 lr_grid=(0.02 0.03 0.05 0.07 0.1 0.15 0.2 0.3 0.5 1.0)
  rhos_escape=0.05,0.1,0.2,0.3,0.5,0.7
  valley_grid=161 line_subset=10000 line_points=41 rhos53=(0.01 0.02 0.05 0.1 0.2 0.5)
  switches53=(0.25 0.5 0.75 0.9) periods54=(2 5 10 20 50)
fi
rho_of() { [[ $1 == mlp ]] && echo 0.05 || echo 0.1; }
p() { train p "$@"; }
# PSAM's threshold E = 0.75 T in steps (T = epochs x steps per epoch at batch 256).
psam_threshold() {
  local -n n=n_$1 e=e_$1
  echo $(((3 * e * ((n + 255) / 256)) / 4))
}
psam() { # NET N SEED
  p "$1" PSAM "$(rho_of "$1")" "$3" "n$2" --psam-period "$2" --psam-threshold "$(psam_threshold "$1")"
}

fig3_1() {
  local v=(--quiet --threads "$threads")
  "$bin" toy valley --loss sextic --rho 0.05,0.1 "${v[@]}" --out "$out/fig3_1-a.h5"
  "$bin" toy valley --loss sextic --rho 0.2,0.3 "${v[@]}" --out "$out/fig3_1-b.h5"
  "$bin" toy valley --loss linex --alpha -0.3 --rho 1,2 "${v[@]}" --out "$out/fig3_1-c.h5"
  "$bin" toy valley --loss linex --alpha -0.3 --rho 4,8 "${v[@]}" --out "$out/fig3_1-d.h5"
  draw plots/paper_figures.py valleys "$out"/fig3_1-{a,b,c,d}.h5 --out "$out/fig3_1.png"
}

fig3_2() {
  "$bin" toy valley2d --alpha -0.3,-0.3 --rho 1,2,4 --grid -8:8:$valley_grid --quiet --out "$out/fig3_2.h5"
  draw plots/paper_figures.py valley2d "$out/fig3_2.h5" --out "$out/fig3_2.png"
}

fig7_1() {
  "$bin" toy valley --loss asymmetric --slope 1 --steepness 3 --rho 0.25,0.5,1 --quiet --out "$out/fig7_1.h5"
  draw plots/paper_figures.py valley-interval "$out/fig7_1.h5" --out "$out/fig7_1.png"
}

# The minimum: an MLP with one hidden layer of 256 trained by SGD under protocol P (Nesterov, cosine,
# weight decay; 002 trains 200 epochs) on the first 4096 training images, to ~100 % training accuracy.
# The escape runs use a constant lr picked as 002 does ("to avoid that escape too quickly or failing
# to escape"): the smallest lr of the grid at which at most one of 4 SGD trials stays above the
# threshold for max_steps. The grid starts at 002's own range (0.02-0.03), so the lr chosen is the
# one at which SGD just escapes: the slowest escape that still happens, not a quick one. Batch 256,
# threshold 90 % training accuracy, paired trials.
table5_1() {
  local minimum lr chosen="" censored
  run_train p-mlp256-sgd-minimum-s0 --arch mlp:256 --train-subset "$escape_subset" --test-subset 0 \
    --eval-train-subset "$escape_subset" --epochs "$min_epochs" --batch-size 256 --lr 0.1 \
    --lr-schedule cosine --momentum 0.9 --nesterov --weight-decay 5e-4 --seed 0
  minimum=$(ck_of p-mlp256-sgd-minimum-s0)
  local common=(--batch-size 256 --threshold 0.9 --max-steps "$max_steps" --subset "$escape_subset"
    --train-subset "$escape_subset" --threads "$threads" --quiet)
  : >"$out/table5_1-lr-search.txt"
  for lr in "${lr_grid[@]}"; do
    "$bin" escape-test "$minimum" --optimizer sgd --lr "$lr" --trials 4 --seed 1000 "${common[@]}" \
      --out "$out/table5_1-lr$lr.h5"
    censored=$("$plot" -c "import h5py, sys; print(int(h5py.File(sys.argv[1])['summary/censored'][0]))" \
      "$out/table5_1-lr$lr.h5")
    echo "lr $lr: SGD censored $censored/4" >>"$out/table5_1-lr-search.txt"
    if ((censored <= 1)); then chosen=$lr && break; fi
  done
  chosen=${chosen:-${lr_grid[-1]}}
  echo "chosen lr $chosen" >>"$out/table5_1-lr-search.txt"
  "$bin" escape-test "$minimum" --optimizer sgd,sam --rho "$rhos_escape" --lr "$chosen" --trials "$trials" \
    "${common[@]}" --out "$out/table5_1.h5"
  draw plots/paper_figures.py escape-table --file "$label_mlp=$out/table5_1.h5" \
    --paper analyses/paper_values/002_table5_1.csv \
    --title "002 Table 5.1: steps to escape (training accuracy < 90 %), $trials trials, lr $chosen" --out "$out/table5_1"
  cat "$out/table5_1-lr-search.txt"
  draw plots/plot_dynamics.py "$out/table5_1.h5" --out "$out/table5_1.png"
}

table5_2() {
  local man=$out/table5_2.tsv net m s
  manifest_new "$man"
  for net in mlp lenet; do
    for m in SGD SAM SGD-SAM SAM-SGD; do
      for s in "${seeds5[@]}"; do p $net $m "$(rho_of $net)" "$s" && manifest_add "$man" "${m/-/→}" "$(label_of $net)" "$run"; done
    done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/table5_2" \
    --paper analyses/paper_values/002_table5_2.csv \
    --title "002 Table 5.2: test accuracy (%), ${#seeds5[@]} seeds, switch after 75 % of training"
}

# The lines of Figs. 5.1/5.2 (MLP) and 7.2/7.3 (LeNet): seed 0's solutions, alpha in [-0.5, 1.5],
# train and test error in one panel. line_figure ID NET FROM TO TITLE
line_figure() {
  local id=$1 net=$2 a b label
  label=$(label_of "$net")
  p "$net" "$3" "$(rho_of "$net")" 0 && a=$(ck_of "$run")
  p "$net" "$4" "$(rho_of "$net")" 0 && b=$(ck_of "$run")
  "$bin" landscape line "$a" "$b" --alpha -0.5:1.5:$line_points --subset "$line_subset" --threads "$threads" \
    --quiet --out "$out/$id-line.h5"
  draw plots/paper_figures.py lines --panel "$label=$out/$id-line.h5" --title "$5" --out "$out/$id.png"
}
fig5_1() { line_figure fig5_1 mlp SGD SGD-SAM "002 Fig. 5.1: w1 = SGD, w2 = SGD→SAM (seed 0)"; }
fig5_2() { line_figure fig5_2 mlp SAM SAM-SGD "002 Fig. 5.2: w1 = SAM, w2 = SAM→SGD (seed 0)"; }
fig7_2() { line_figure fig7_2 lenet SGD SGD-SAM "002 Fig. 7.2: w1 = SGD, w2 = SGD→SAM (seed 0), second setting"; }
fig7_3() { line_figure fig7_3 lenet SAM SAM-SGD "002 Fig. 7.3: w1 = SAM, w2 = SAM→SGD (seed 0), second setting"; }

fig5_3() {
  local tsv=$out/fig5_3.tsv sgd_man=$out/fig5_3-sgd.tsv r e s sgd
  : >"$tsv"
  manifest_new "$sgd_man"
  for s in "${seeds3[@]}"; do p mlp SGD 0 "$s" && manifest_add "$sgd_man" SGD SGD "$run"; done
  distance_to_sgd() { # SEED RUN -> a line file with the distance
    p mlp SGD 0 "$1"
    local sgd_ck
    sgd_ck=$(ck_of "$run")
    "$bin" landscape line "$sgd_ck" "$(ck_of "$2")" --alpha 0:1:2 --subset 64 --threads "$threads" --quiet \
      --out "$out/fig5_3-distance-$2.h5"
  }
  for r in "${rhos53[@]}"; do
    for s in "${seeds3[@]}"; do
      p mlp SGD-SAM "$r" "$s"
      local this=$run
      distance_to_sgd "$s" "$this"
      printf 'rho (switch at 0.75)\t%s\t%s\t%s\n' "$r" "$(log_of "$this")" "$out/fig5_3-distance-$this.h5" >>"$tsv"
    done
  done
  for e in "${switches53[@]}"; do
    for s in "${seeds3[@]}"; do
      if [[ $e == 0.75 ]]; then p mlp SGD-SAM 0.05 "$s"; else p mlp SGD-SAM 0.05 "$s" "switch$e" --switch-at "$e"; fi
      local this=$run
      distance_to_sgd "$s" "$this"
      printf 'switch epoch E / T (rho 0.05)\t%s\t%s\t%s\n' "$e" "$(log_of "$this")" "$out/fig5_3-distance-$this.h5" >>"$tsv"
    done
  done
  draw plots/paper_figures.py switch-ablation "$tsv" --sgd "$sgd_man" --out "$out/fig5_3.png"
}

table5_3() {
  local man=$out/table5_3.tsv net m s
  manifest_new "$man"
  for net in mlp lenet; do
    for s in "${seeds5[@]}"; do
      p $net SGD 0 "$s" && manifest_add "$man" SGD "$(label_of $net)" "$run"
      p $net SAM "$(rho_of $net)" "$s" && manifest_add "$man" SAM "$(label_of $net)" "$run"
      psam $net 20 "$s" && manifest_add "$man" PSAM "$(label_of $net)" "$run"
    done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/table5_3" \
    --paper analyses/paper_values/002_table5_3.csv \
    --title "002 Table 5.3: PSAM (n = 20, E = 0.75 T), test accuracy (%), ${#seeds5[@]} seeds"
  draw plots/runs.py table "$man" --metric relative_cost --digits 4 --out "$out/table5_3-cost" \
    --paper analyses/paper_values/002_table5_3_cost.csv \
    --title "002 Table 5.3: relative cost (forward-backward passes per step; SGD = 1)"
}

fig5_4() {
  local net man n s
  for net in mlp lenet; do
    man=$out/fig5_4-$net.tsv
    manifest_new "$man"
    for s in "${seeds3[@]}"; do p $net SGD 0 "$s" && manifest_add "$man" SGD 0 "$run"; done
    for n in "${periods54[@]}"; do
      for s in "${seeds3[@]}"; do psam $net "$n" "$s" && manifest_add "$man" PSAM "$n" "$run"; done
    done
    draw plots/runs.py curve "$man" --metric final_test_accuracy --x-label "n (PSAM period)" --log-x --dashed SGD \
      --title "002 Fig. 5.4: PSAM vs n, $(label_of $net)" --out "$out/fig5_4-$net.png"
    draw plots/runs.py table "$man" --metric final_test_accuracy --row-label method --out "$out/fig5_4-$net" \
      --title "002 Fig. 5.4: test accuracy (%) against n, $(label_of $net)"
  done
}

item fig3_1 "Fig. 3.1: valleys and the SAM objective" fig3_1
item fig3_2 "Fig. 3.2: Theorem 3.3.2 on R^2" fig3_2
item fig7_1 "Fig. 7.1: the asymmetric valley of Lemma 7.1.4" fig7_1
item table5_1 "Table 5.1: escape steps" table5_1
item table5_2 "Table 5.2: SGD, SAM, SGD->SAM, SAM->SGD" table5_2
item fig5_1 "Fig. 5.1: SGD <-> SGD->SAM" fig5_1
item fig5_2 "Fig. 5.2: SAM <-> SAM->SGD" fig5_2
item fig7_2 "Fig. 7.2: SGD <-> SGD->SAM, second setting" fig7_2
item fig7_3 "Fig. 7.3: SAM <-> SAM->SGD, second setting" fig7_3
item fig5_3 "Fig. 5.3: SGD->SAM vs rho and switch epoch" fig5_3
item table5_3 "Table 5.3: PSAM" table5_3
item fig5_4 "Fig. 5.4: PSAM vs n" fig5_4
echo "park: results, figures and tables in $out/"
