#!/usr/bin/env bash
# Curvatures beyond the Hessian, diagonals, per-layer blocks, a training path's PCA plane and the
# ParaView export (docs/hessian.md, docs/landscape.md; the worked examples there are this recipe's
# output): an MLP 784-100-10 trained for 8 epochs on 10 000 Fashion-MNIST images with a checkpoint
# per epoch, analysed on the first 1024 training images.
# Outputs in analyses/curvature/, the model and its log in checkpoints/curvature/.
paper=curvature
source "$(dirname "$0")/common.sh"
mkdir -p checkpoints/curvature
ck=checkpoints/curvature/fmnist-mlp100.pt
if [[ ! -f $ck ]]; then
  "$bin" train --arch mlp:100 --data fmnist --train-subset 10000 --epochs 8 --lr 0.05 --momentum 0.9 \
    --batch-size 128 --seed 0 --save-every-epochs 1 --out "$ck" --quiet
fi
common=(--subset 1024 --threads 2)

# One model, four curvatures: top eigenvalues, trace, spectral density.
for c in hessian ggn ef mc-fisher; do
  "$bin" hessian spectrum "$ck" --curvature "$c" --top 5 "${common[@]}" --out "$out/spectrum-$c.h5"
  "$bin" hessian trace "$ck" --curvature "$c" --tol 0 --probes 100 "${common[@]}" --out "$out/trace-$c.h5"
  "$bin" hessian density "$ck" --curvature "$c" "${common[@]}" --quiet --out "$out/density-$c.h5"
done

# Diagonal: exact on the fc2 block (1010 entries), and the estimators there and on the whole model.
"$bin" hessian diagonal "$ck" --params '^fc2\.' "${common[@]}" --quiet --out "$out/diagonal-fc2-exact.h5"
for m in hutchinson diag++; do
  "$bin" hessian diagonal "$ck" --params '^fc2\.' --method "$m" --probes 150 "${common[@]}" --quiet \
    --out "$out/diagonal-fc2-$m.h5"
done
"$bin" hessian diagonal "$ck" --probes 150 "${common[@]}" --out "$out/diagonal.h5"

# Per-layer blocks: per tensor (Hessian), per module (GGN).
"$bin" hessian layers "$ck" --top 2 "${common[@]}" --out "$out/layers.h5"
"$bin" hessian layers "$ck" --group-by module --curvature ggn --top 2 "${common[@]}" --out "$out/layers-ggn.h5"

# The training path on its PCA plane, the loss on that plane, and the ParaView export.
"$bin" landscape trajectory --run "$ck" --out "$out/trajectory.h5"
# A 25 x 25 grid 20 % wider than the path on each side (what the trajectory command suggests).
read -r gx gy < <($plot -c "
import h5py
f = h5py.File('$out/trajectory.h5', 'r')
def grid(a):
    lo, hi = min(a.min(), 0), max(a.max(), 0)
    return f'{lo - 0.2 * (hi - lo):.3g}:{hi + 0.2 * (hi - lo):.3g}:25'
print(grid(f['x'][()]), grid(f['y'][()]))")
"$bin" landscape interp "$ck" --dirs pca1,pca2 --trajectory "$out/trajectory.h5" --x "$gx" --y "$gy" \
  "${common[@]}" --out "$out/plane.h5"
"$bin" paraview "$out/plane.h5" --log --out "$out/plane.vtp"

$plot plots/plot_hessian.py --spectrum "$out"/spectrum-{hessian,ggn,ef,mc-fisher}.h5 \
  --density "$out"/density-{hessian,ggn,ef,mc-fisher}.h5 --layers "$out/layers.h5" \
  --diagonal "$out/diagonal.h5" --out "$out/curvature" >/dev/null
$plot plots/plot_landscape.py "$out/trajectory.h5" --out "$out/trajectory.png" >/dev/null
$plot plots/plot_landscape.py "$out/plane.h5" --out "$out/plane.png" >/dev/null
$plot plots/plot_vtk.py "$out/plane.vtp" --out "$out/plane-vtp.png" >/dev/null
echo "curvature: results and figures in $out/"
