#!/usr/bin/env bash
# Kim, Park, Choi, Lee, Lee, "Exploring the Effect of Multi-step Ascent in Sharpness-Aware
# Minimization" (000; arXiv:2302.10181), every experiment at laptop scale:
#   fig2    test accuracy and training time of SAM-1/2/3              -> fig2.png
#   table1  l(w), l(w^pN) N=1,3,5 of SAM-1/2/3 models (3 seeds)       -> table1.md
#   fig3..fig8  perturbed loss along v_N, 2-D on (v1,v10), gradient cosines, cosine field,
#           loss decrease, on the first mini-batch of a SAM(rho=0.1) model -> fig3.png ... fig8.png
#   table2  SGD, SAM, ESAM, GSAM, ASAM, SAM-2, MSAM-2: Acc(A), Acc(B) (CIFAR-10 stand-in) -> table2.md
#   table3  the same on the CIFAR-100 stand-in                         -> table3.md
#   table4  the ImageNet table, scaled down (largest setting: all 60k images, BN conv net) -> table4.md
#   fig10   Hessian spectrum of SAM-1, SAM-2, MSAM-2 models (power iteration, SLQ density) -> fig10-*.png
#   table5  accuracy vs N for MSAM-N and SAM-N (rho_n = rho/N)         -> table5.md
#   table6  MSAM-2 accuracy vs step-size ratio rho1:rho2               -> table6.md
#   fig11   accuracy vs rho in [0, 3] for SAM-1, SAM-2, MSAM-2         -> fig11.png
# Stand-ins (docs/reproductions.md): Fashion-MNIST for CIFAR-10/100 and ImageNet; the MLP 784-500-500-10
# for ResNet-18 (CIFAR-10 column), LeNet-5 for WRN-28-10 (CIFAR-100 column: a second model, there is no
# second data set), the BN conv net `cnn` on all 60 000 images for ResNet-50/ImageNet.
# 000's training settings are in an appendix the text does not include; we use the common SAM-paper
# ones: batch 128, lr 0.1 cosine, momentum 0.9, weight decay 5e-4. MSAM-2 runs at rho1:rho2 = 1:2,
# the ratio whose Table 6 numbers equal MSAM-2's Acc(A) in Tables 2-3 digit for digit.
# Usage: analyses/kim.sh [--quick] [--force] [--only=ID,...]
paper=kim
source "$(dirname "$0")/common.sh"

if [[ $scale == quick ]]; then
  batch=32 subset=1000 hsub=256 lanczos=20 power_iter=20 grid=5
  sweep=(0.05 0.1) rhos11=(0 0.5 3)
else
  batch=128 subset=10000 hsub=2048 lanczos=100 power_iter=100 grid=21
  sweep=(0.02 0.05 0.1 0.2) rhos11=(0 0.1 0.5 1 2 3)
fi
seeds=("${seeds3[@]}")
g() { train g "$@"; }

pool_samn() { # SAM-1/2/3 at rho = 0.1 (the paper's value for its section 3 analyses)
  local net
  for net in mlp lenet; do
    for m in SAM-1 SAM-2 SAM-3; do for s in "${seeds[@]}"; do g $net $m 0.1 "$s"; done; done
  done
}

fig2() {
  pool_samn
  local man=$out/fig2.tsv net label
  manifest_new "$man"
  for net in mlp lenet; do
    label=$(label_of $net)
    for m in SAM-1 SAM-2 SAM-3; do
      for s in "${seeds[@]}"; do g $net $m 0.1 "$s" && manifest_add "$man" "$m" "$label" "$run"; done
    done
  done
  draw plots/runs.py bars "$man" --out "$out/fig2.png"
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/fig2-accuracy" --title "000 Fig. 2: test accuracy (%)"
  draw plots/runs.py table "$man" --metric wall_seconds --digits 1 --out "$out/fig2-time" --title "000 Fig. 2: training time (s)"
}

table1() {
  pool_samn
  local files=() net label models
  for net in mlp lenet; do
    models=()
    for m in SAM-1 SAM-2 SAM-3; do for s in "${seeds[@]}"; do g $net $m 0.1 "$s"; models+=("$(ck_of "$run")"); done; done
    # "on the entire training set, using the same batch-size": batch scope over the training subset.
    "$bin" sharpness "${models[@]}" --rho 0.1 --kinds asc --max-steps 1 --perturbed-steps 1,3,5 --scope batch \
      --batch-size "$batch" --subset "$subset" --no-gap --group optimizer --threads "$threads" --quiet \
      --out "$out/table1-$net.h5"
  done
  draw plots/paper_figures.py sharpness-table --layout kim-table1 --rows SAM-1,SAM-2,SAM-3 \
    --file "$label_mlp=$out/table1-mlp.h5" --file "$label_lenet=$out/table1-lenet.h5" \
    --paper analyses/paper_values/000_table1.csv --title "000 Table 1: l(w) and l(w^pN), rho = 0.1" --out "$out/table1"
}

# Figs. 3-8 analyse a SAM(rho = 0.1) model on "the first mini-batch": the first 128 training
# examples in file order (the trainer's shuffled first batch is not what "first" means here).
figs3to8() {
  g mlp SAM-1 0.1 0
  local ck mb=(--subset 128 --threads "$threads" --quiet)
  ck=$(ck_of "$run")
  "$bin" landscape ascent "$ck" --rho 0.1 --steps 1,2,3,4,5,10 --k 0:0.3:31 "${mb[@]}" --out "$out/fig3.h5"
  "$bin" landscape interp "$ck" --dirs v1,v10 --rho 0.1 --x 0:0.2:$grid --y 0:0.2:$grid "${mb[@]}" --out "$out/fig4.h5"
  "$bin" gradsim "$ck" --rho 0.1 --steps 0,1,2,3,4 "${mb[@]}" --out "$out/fig5.h5"
  "$bin" gradsim "$ck" --field --dirs v1,v2 --rho 0.5 --x 0:0.5:6 --y 0:0.5:6 "${mb[@]}" --out "$out/fig6.h5"
  "$bin" loss-decrease "$ck" --rho 0.1 --steps 0,1,2,3 --lr 0.1 "${mb[@]}" --out "$out/fig7.h5"
  "$bin" loss-decrease "$ck" --rho 0.1 --steps 0,1,2 --lr 0.1 --segment 1,2 --points 21 "${mb[@]}" --out "$out/fig8.h5"
  local f
  for f in 3 4 5 6 7 8; do draw plots/plot_landscape.py "$out/fig$f.h5" --out "$out/fig$f.png"; done
}

# Acc(A): every method at the radius where SAM is best (selected on the mean test accuracy over
# the seeds, as the paper selects); Acc(B): each method at its authors' radius.
generalization_table() {
  local net=$1 id=$2 label=$3 rho_b=$4 rho_b_asam=$5
  local sweep_man=$out/$id-sam-sweep.tsv man=$out/$id.tsv r m s best
  manifest_new "$sweep_man"
  for r in "${sweep[@]}"; do for s in "${seeds[@]}"; do g $net SAM "$r" "$s" && manifest_add "$sweep_man" "$r" SAM "$run"; done; done
  best=$("$plot" plots/runs.py best "$sweep_man" --metric final_test_accuracy 2>>"$out/plots.log")
  echo "[$paper] $id: SAM is best at rho = $best"
  echo "$best" >"$out/$id-best-rho.txt"
  manifest_new "$man"
  for s in "${seeds[@]}"; do g $net SGD 0 "$s" && manifest_add "$man" SGD "Acc(A)" "$run"; done
  for m in SAM ESAM GSAM ASAM SAM-2 MSAM-2; do
    for s in "${seeds[@]}"; do g $net $m "$best" "$s" && manifest_add "$man" "$m" "Acc(A)" "$run"; done
    r=$rho_b && [[ $m == ASAM ]] && r=$rho_b_asam
    for s in "${seeds[@]}"; do g $net $m "$r" "$s" && manifest_add "$man" "$m" "Acc(B)" "$run"; done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/$id" \
    --paper "analyses/paper_values/000_$id.csv" \
    --title "000 ${id^}: test accuracy (%), $label; Acc(A) at SAM's best rho = $best, Acc(B) at rho = $rho_b (ASAM $rho_b_asam)"
  draw plots/runs.py table "$sweep_man" --metric final_test_accuracy --row-label rho --out "$out/$id-sam-sweep" \
    --title "SAM's radius sweep for Acc(A)"
}
# B radii: SAM, ESAM, GSAM, SAM-2, MSAM-2 at the SAM papers' CIFAR-10 / CIFAR-100 values 0.05 / 0.1;
# ASAM at Kwon et al. (2021)'s 0.5 / 1.0.
table2() { generalization_table mlp table2 "$label_mlp" 0.05 0.5; }
table3() { generalization_table lenet table3 "$label_lenet" 0.1 1.0; }

table4() {
  local man=$out/table4.tsv m
  manifest_new "$man"
  for m in SGD SAM SAM-2 MSAM-2; do g cnn60k $m 0.1 0 && manifest_add "$man" "$m" "top-1" "$run"; done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/table4" \
    --paper analyses/paper_values/000_table4.csv \
    --title "000 Table 4 (ImageNet, scaled down): cnn on all 60 000 Fashion-MNIST images, 1 seed"
}

fig10() {
  local specs=() dens=() m
  for m in SAM-1 SAM-2 MSAM-2; do
    g mlp $m 0.1 0
    # "power iteration with 100 iterations": the top eigenvalues by power iteration, and the
    # spectrum's distribution by stochastic Lanczos quadrature (100 steps, PyHessian's defaults).
    "$bin" hessian spectrum "$(ck_of "$run")" --method power --top 3 --max-iter "$power_iter" --subset "$hsub" \
      --threads "$threads" --quiet --out "$out/fig10-spectrum-${m,,}.h5"
    "$bin" hessian density "$(ck_of "$run")" --lanczos-steps "$lanczos" --subset "$hsub" \
      --threads "$threads" --quiet --out "$out/fig10-density-${m,,}.h5"
    specs+=("$out/fig10-spectrum-${m,,}.h5")
    dens+=("$out/fig10-density-${m,,}.h5")
  done
  draw plots/plot_hessian.py --spectrum "${specs[@]}" --density "${dens[@]}" --out "$out/fig10"
}

table5() {
  local man=$out/table5.tsv n s
  manifest_new "$man"
  for n in 2 3 4 5; do
    for s in "${seeds[@]}"; do g mlp "MSAM-$n" 0.1 "$s" && manifest_add "$man" MSAM "N = $n" "$run"; done
    for s in "${seeds[@]}"; do g mlp "SAM-$n" 0.1 "$s" && manifest_add "$man" SAM "N = $n" "$run"; done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --out "$out/table5" \
    --paper analyses/paper_values/000_table5.csv \
    --title "000 Table 5: test accuracy (%) vs ascent steps N (rho_n = rho/N, rho = 0.1; N = 2 of MSAM at 1:2), $label_mlp"
}

table6() {
  local man=$out/table6.tsv net label ratio s
  manifest_new "$man"
  for net in mlp lenet; do
    label=$(label_of $net)
    for ratio in 1:2 1:1 2:1; do
      for s in "${seeds[@]}"; do
        # 1:2 is the MSAM-2 run of the other items; the other ratios get their own runs.
        if [[ $ratio == 1:2 ]]; then g $net MSAM-2 0.1 "$s"; else g $net "MSAM-2@$ratio" 0.1 "$s"; fi
        manifest_add "$man" "$ratio" "$label" "$run"
      done
    done
  done
  draw plots/runs.py table "$man" --metric final_test_accuracy --row-label "rho1:rho2" --out "$out/table6" \
    --paper analyses/paper_values/000_table6.csv --title "000 Table 6: MSAM-2 test accuracy (%) vs step-size ratio, rho = 0.1"
}

fig11() {
  local man=$out/fig11.tsv m r s
  manifest_new "$man"
  for m in SAM-1 SAM-2 MSAM-2; do
    for r in "${rhos11[@]}"; do for s in "${seeds[@]}"; do g mlp $m "$r" "$s" && manifest_add "$man" "$m" "$r" "$run"; done; done
  done
  draw plots/runs.py curve "$man" --metric final_test_accuracy --x-label "rho" \
    --title "000 Fig. 11: sensitivity to rho, $label_mlp (mean ± std over ${#seeds[@]} seeds)" --out "$out/fig11.png"
  draw plots/runs.py table "$man" --metric final_test_accuracy --row-label method --out "$out/fig11" \
    --title "000 Fig. 11: test accuracy (%) against rho"
}

item fig2 "Fig. 2: accuracy and training time of SAM-1/2/3" fig2
item table1 "Table 1: l(w) and l(w^pN) of SAM-1/2/3 models" table1
item figs3to8 "Figs. 3-8: ascent directions, cosines, loss decrease on the first mini-batch" figs3to8
item table2 "Table 2: generalization, CIFAR-10 stand-in" table2
item table3 "Table 3: generalization, CIFAR-100 stand-in" table3
item table6 "Table 6: MSAM-2 step-size ratio" table6
item fig10 "Fig. 10: Hessian spectra of SAM-1, SAM-2, MSAM-2" fig10
item table5 "Table 5: accuracy vs N" table5
item fig11 "Fig. 11: sensitivity to rho" fig11
item table4 "Table 4: ImageNet analogue" table4
echo "kim: results, figures and tables in $out/"
