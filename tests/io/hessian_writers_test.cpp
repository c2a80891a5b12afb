// The HDF5 layout of the Hessian analyses, read back (docs/hessian.md).
#include "sharpscope/io/hessian_writers.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include "sharpscope/core/params.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/hessian/trace.h"
#include "sharpscope/io/h5_writer.h"
#include "support/dense_solvers.h"
#include "support/matrices.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

TEST(HessianWriters, SpectrumTraceAndDensityReadBack) {
  const Eigen::MatrixXd a =
      testing::symmetric_with_spectrum(testing::linear_spectrum(12, -1.0, 0.5), 31);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions so;
  so.k = 2;
  so.which = SpectrumEnd::kBoth;
  const SpectrumResult spectrum = compute_spectrum(op, so);
  const TraceResult trace = estimate_trace(op, TraceOptions{});
  DensityOptions dso;
  dso.runs = 2;
  dso.lanczos_steps = 5;
  dso.bins = 50;
  const DensityResult density = slq_density(op, dso);

  const testing::ScratchDir scratch("hessian-writers");
  const std::string dir = scratch.str();
  const std::string path = dir + "/out.h5";
  {
    H5Writer w(path);
    write_spectrum(w, spectrum);
    // Two parameter tensors [3, 2] and [6] hold the 12-vector.
    const ParamList like{torch::zeros({3, 2}, torch::kDouble), torch::zeros({6}, torch::kDouble)};
    const Eigen::VectorXd& v = spectrum.pairs[0].vector;
    const at::Tensor flat = torch::from_blob(const_cast<double*>(v.data()), {12}, torch::kDouble);
    write_eigenvector(w, 1, {"fc.weight", "fc.bias"}, unflatten(flat, like), "top eigenvector");
    write_trace(w, trace);
    write_density(w, density);
    w.commit();
  }
  const H5Reader r(path);
  std::vector<int64_t> shape;
  const std::vector<double> values = r.read("eigenvalues", &shape);
  ASSERT_EQ(shape, (std::vector<int64_t>{4}));
  EXPECT_DOUBLE_EQ(values[0], spectrum.pairs[0].value);
  EXPECT_DOUBLE_EQ(values[2], spectrum.pairs[2].value);
  EXPECT_EQ(r.read_int("hvps").size(), 4u);
  EXPECT_EQ(r.attribute("/", "status"), "successful");
  std::vector<int64_t> weight_shape;
  const std::vector<double> weight = r.read("directions/eig1/fc.weight", &weight_shape);
  EXPECT_EQ(weight_shape, (std::vector<int64_t>{3, 2}));
  EXPECT_DOUBLE_EQ(weight[5], spectrum.pairs[0].vector[5]);
  EXPECT_EQ(r.read("directions/eig1_flat").size(), 12u);
  EXPECT_DOUBLE_EQ(r.read("trace")[0], trace.trace);
  EXPECT_EQ(r.read("probes").size(), trace.probes.size());
  std::vector<int64_t> ritz_shape;
  const std::vector<double> ritz = r.read("ritz_values", &ritz_shape);
  EXPECT_EQ(ritz_shape, (std::vector<int64_t>{2, 5}));
  EXPECT_DOUBLE_EQ(ritz[5], density.ritz_values(1, 0));  // row-major: run 1, node 0
  EXPECT_EQ(r.read("density").size(), 50u);
  EXPECT_NEAR(r.attribute_number("/", "mass_on_grid"), density.mass_on_grid, 1e-15);
}

}  // namespace
}  // namespace sharpscope
