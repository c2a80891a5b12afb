"""Tests of plots/plot_hessian.py's legend labels on synthetic HDF5 files (CTest Plots.Unit).

Run: /usr/bin/python3 -m unittest discover -s tests/plots -p 'test_*.py'
"""
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plots"))
import plot_hessian  # noqa: E402


def write_density(path, model, curvature):
    """A `hessian density` output: the attributes the labels read and a grid with its density."""
    with h5py.File(path, "w") as f:
        f.attrs["model"] = model
        f.attrs["curvature"] = curvature
        f["grid"] = np.linspace(-1, 1, 5)
        f["density"] = np.full(5, 0.5)


class OverlayLabelsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def files(self, specs):
        paths = []
        for i, (model, curvature) in enumerate(specs):
            paths.append(os.path.join(self.dir.name, f"d{i}.h5"))
            write_density(paths[-1], model, curvature)
        return paths

    def test_several_models_are_labelled_by_model(self):
        paths = self.files([("pool/sam-1.pt", "hessian"), ("pool/sam-2.pt", "hessian"), ("pool/msam-2.pt", "hessian")])
        self.assertEqual(plot_hessian.overlay_labels(paths), ["sam-1", "sam-2", "msam-2"])

    def test_one_models_curvatures_are_labelled_by_curvature(self):
        paths = self.files([("m.pt", "hessian"), ("m.pt", "ggn"), ("m.pt", "ef")])
        self.assertEqual(plot_hessian.overlay_labels(paths), ["Hessian", "GGN", "empirical Fisher"])

    def test_a_single_file_is_labelled_by_its_model(self):
        self.assertEqual(plot_hessian.overlay_labels(self.files([("m.pt", "ggn")])), ["m (GGN)"])

    def test_the_density_figure_is_written(self):
        paths = self.files([("a.pt", "hessian"), ("b.pt", "hessian")])
        out = os.path.join(self.dir.name, "density.png")
        plot_hessian.plot_density(paths, out)
        self.assertGreater(os.path.getsize(out), 0)


if __name__ == "__main__":
    unittest.main()
