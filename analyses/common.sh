# Shared by the recipes: build once, then train_model NAME [train flags...] trains
# checkpoints/NAME.pt (MLP on Fashion-MNIST, one epoch unless the flags say otherwise) if absent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/setup.sh >/dev/null
bin=${SHARPSCOPE_BUILD_DIR:-build}/sharpscope
plot=/usr/bin/python3

train_model() {
  local name=$1
  shift
  [[ -f checkpoints/$name.pt ]] && return 0
  "$bin" train --arch mlp:500,500 --data fmnist --epochs 1 --lr 0.05 --momentum 0.9 \
    --batch-size 128 "$@" --out "checkpoints/$name.pt" --log "$out/train-$name.h5" --quiet
}
