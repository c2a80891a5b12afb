"""Tests of plots/runs.py and plots/paper_figures.py on synthetic HDF5 files (CTest Plots.Unit).

Run: /usr/bin/python3 -m unittest discover -s tests/plots -p 'test_*.py'
"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plots"))
import paper_figures  # noqa: E402
import runs  # noqa: E402


def write_log(path, test_accuracy, steps=10, passes_per_step=2.0, version=2, gradient_norm=2.0,
              ascent_norm=4.0, alignment=1.25):
    """A training log with the layout of docs/train.md."""
    e = len(test_accuracy)
    with h5py.File(path, "w") as f:
        f["epochs/epoch"] = np.arange(1, e + 1, dtype=float)
        f["epochs/test_accuracy"] = np.asarray(test_accuracy, dtype=float)
        f["epochs/train_accuracy"] = np.linspace(0.9, 0.99, e)
        f["epochs/test_loss"] = np.full(e, 0.5)
        f["epochs/train_loss"] = np.full(e, 0.2)
        f["epochs/wall_seconds"] = np.linspace(1, 10, e)
        f["epochs/passes"] = passes_per_step * steps * np.arange(1, e + 1) / e
        f["steps/step"] = np.arange(steps, dtype=float)
        f["steps/epoch"] = np.arange(steps) / (steps / e)
        f["steps/sharpness"] = np.ones(steps)
        f["steps/gradient_norm"] = np.full(steps, gradient_norm)
        f["steps/ascent_gradient_norm"] = np.full(steps, ascent_norm)
        f["steps/norm_ratio"] = np.full(steps, ascent_norm / gradient_norm)
        f["steps/alignment"] = np.full(steps, alignment)
        if version >= 2:
            f["steps/exact_surrogate_norm_ratio"] = np.full(steps, gradient_norm / ascent_norm)
            f["steps/ascent_inner_excess"] = np.full(steps, (alignment - 1) * gradient_norm ** 2)
            f.attrs["log_version"] = 2
        f.attrs["status"] = "completed"


class Quiet:
    def __enter__(self):
        self.out = contextlib.redirect_stdout(io.StringIO())
        self.err = contextlib.redirect_stderr(io.StringIO())
        self.buffer = self.out.__enter__()
        self.err.__enter__()
        return self.buffer

    def __exit__(self, *exc):
        self.err.__exit__(*exc)
        self.out.__exit__(*exc)


class RunsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = lambda name: os.path.join(self.dir.name, name)

    def tearDown(self):
        self.dir.cleanup()

    def test_metrics_final_best_and_cost(self):
        write_log(self.path("a.h5"), [0.80, 0.91, 0.90], steps=30, passes_per_step=3.0)
        m = runs.run_metrics(self.path("a.h5"))
        self.assertAlmostEqual(m["final_test_accuracy"], 90.0, places=12)
        self.assertAlmostEqual(m["best_test_accuracy"], 91.0, places=12)  # max over epochs, not last
        self.assertAlmostEqual(m["gap_loss"], 0.3, places=12)
        self.assertAlmostEqual(m["passes_per_step"], 3.0, places=12)
        self.assertAlmostEqual(m["wall_seconds"], 10.0, places=12)

    def manifest(self, cells):
        """cells: {(row, column): [final accuracies]} -> manifest path."""
        lines = []
        for (row, column), accs in cells.items():
            for k, acc in enumerate(accs):
                log = self.path(f"{row}-{column}-{k}.h5".replace(" ", "_"))
                write_log(log, [acc - 0.05, acc])
                lines.append(f"{row}\t{column}\t{log}")
        path = self.path("manifest.tsv")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def test_table_mean_std_n_and_paper_columns(self):
        man = self.manifest({("SAM", "A"): [0.96, 0.97, 0.98], ("SGD", "A"): [0.95, 0.96]})
        with open(self.path("paper.csv"), "w") as f:
            f.write("row,column,paper\nSAM,A,96.54 ± 0.07\nGSAM,A,96.05 ± 0.05\n")
        with Quiet():
            runs.main(["table", man, "--paper", self.path("paper.csv"), "--out", self.path("t")])
        with open(self.path("t.md")) as f:
            md = f.read()
        # mean 97, std with n − 1: sqrt(((−1)² + 0 + 1²)/2) = 1
        self.assertIn("| SAM | 97.00 ± 1.00 | 96.54 ± 0.07 |", md)
        self.assertIn("[n=2]", md)  # SGD has fewer runs than the usual 3
        self.assertIn("| GSAM | – | 96.05 ± 0.05 |", md)  # reported by the paper, not run
        with h5py.File(self.path("t.h5")) as f:
            self.assertEqual(list(f["rows"].asstr()[()]), ["SAM", "SGD", "GSAM"])
            np.testing.assert_allclose(f["mean"][()][:2, 0], [97.0, 95.5], rtol=1e-12)
            np.testing.assert_allclose(f["std"][()][0, 0], 1.0, rtol=1e-12)
            np.testing.assert_array_equal(f["n"][()][:, 0], [3, 2, 0])

    def test_best_picks_the_highest_mean(self):
        man = self.manifest({("0.05", "SAM"): [0.90, 0.92], ("0.1", "SAM"): [0.93, 0.93], ("0.2", "SAM"): [0.80]})
        with Quiet() as out:
            runs.main(["best", man])
        self.assertEqual(out.getvalue().strip(), "0.1")

    def test_diverged_runs_are_marked_and_cannot_win(self):
        man = self.manifest({("0.05", "SAM"): [0.90, 0.92], ("0.1", "SAM"): [0.93, 0.95]})
        # The second 0.1 run diverged: its final accuracy is NaN and its status says so.
        diverged = self.path("0.1-SAM-1.h5")
        with h5py.File(diverged, "a") as f:
            f["epochs/test_accuracy"][-1] = np.nan
            f.attrs["status"] = "diverged: non-finite batch loss at step 7"
        with Quiet():
            runs.main(["table", man, "--out", self.path("t")])
        with open(self.path("t.md")) as f:
            md = f.read()
        self.assertIn("| 0.05 | 91.00 ± 1.41 |", md)
        self.assertIn("| 0.1 | – [1 not completed] |", md)  # NaN mean, marked
        self.assertIn("[k not completed]", md)
        with Quiet() as out:
            runs.main(["best", man])
        self.assertEqual(out.getvalue().strip(), "0.05")  # the NaN row cannot win

    def test_curve_and_bars_draw(self):
        man = self.manifest({("SAM", "0"): [0.9, 0.91], ("SAM", "0.5"): [0.92, 0.93], ("SGD", "0"): [0.89]})
        with Quiet():
            runs.main(["curve", man, "--dashed", "SGD", "--out", self.path("c.png")])
            runs.main(["bars", man, "--out", self.path("b.png")])
        self.assertGreater(os.path.getsize(self.path("c.png")), 1000)
        self.assertGreater(os.path.getsize(self.path("b.png")), 1000)


class PaperFiguresTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = lambda name: os.path.join(self.dir.name, name)

    def tearDown(self):
        self.dir.cleanup()

    def test_003_orientations_from_new_and_version_one_logs(self):
        # ‖∇f(w)‖/‖∇f(w^asc)‖ = 2/4 and (1.25 − 1)·2² = 1, whether the log has the version-2
        # columns or only the version-1 ones they derive from.
        for version in (1, 2):
            write_log(self.path(f"v{version}.h5"), [0.9, 0.9], version=version)
            with h5py.File(self.path(f"v{version}.h5")) as f:
                np.testing.assert_allclose(runs.exact_surrogate_ratio(f), 0.5, rtol=1e-15)
                np.testing.assert_allclose(runs.inner_excess(f), 1.0, rtol=1e-15)

    def test_stability_mean_over_seeds_and_both_models(self):
        paths = []
        for seed, scale in enumerate((1.0, 3.0)):
            path = self.path(f"stab{seed}.h5")
            with h5py.File(path, "w") as f:
                f["optimizers"] = np.array(["sgd"], dtype=h5py.string_dtype())
                g = f.create_group("sgd")
                g["epoch"] = np.array([1.0, 2.0])
                g["normalized_distance"] = scale * np.array([0.1, 0.2])
                for side, gap in (("S", 1.0), ("Sprime", 3.0)):
                    g[f"{side}/loss_gap"] = scale * gap * np.ones(2)
                    g[f"{side}/error_gap"] = scale * gap * np.ones(2) / 100
            paths.append(path)
        curves, epoch = paper_figures.stability_mean(paths)
        np.testing.assert_allclose(curves["sgd"]["normalized_distance"], [0.2, 0.4], rtol=1e-15)
        # S and S′ averaged (2), then seeds (1·2 and 3·2) averaged: 4
        np.testing.assert_allclose(curves["sgd"]["loss_gap"], [4.0, 4.0], rtol=1e-15)

    def test_sharpness_table_scales_and_names_groups(self):
        path = self.path("sharp.h5")
        with h5py.File(path, "w") as f:
            f["groups/names"] = np.array(["sam rho=0.05", "sam-2 rho=0.05"], dtype=h5py.string_dtype())
            f["groups/members"] = np.array([3, 3])
            for q, (a, b) in {"test_accuracy": (0.9, 0.91), "sharpness_asc": (0.0048, 0.0096),
                              "sharpness_max": (0.005, 0.01), "sharpness_avg": (1e-5, 2e-5),
                              "gap_loss": (0.0473, 0.0465)}.items():
                f[f"groups/{q}_mean"] = np.array([a, b])
                f[f"groups/{q}_std"] = np.array([0.0027, 0.0034]) if q == "sharpness_asc" else np.zeros(2)
        with Quiet():
            paper_figures.main(["sharpness-table", "--layout", "tiwary-table2", "--rows", "N = 1,N = 2",
                                "--file", f"MLP={path}", "--out", self.path("t2")])
        with open(self.path("t2.md")) as f:
            md = f.read()
        self.assertIn("| N = 1 | 90.00 ± 0.00 | 4.80 ± 2.70 |", md)
        self.assertIn("| N = 2 | 91.00 ± 0.00 | 9.60 ± 3.40 |", md)


if __name__ == "__main__":
    unittest.main()
