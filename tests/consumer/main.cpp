// Builds a zoo network through the installed library and checks its parameter algebra: exits 0
// and prints the parameter count when everything links and agrees.
#include <sharpscope/core/model.h>
#include <sharpscope/core/params.h>
#include <sharpscope/core/zoo.h>

#include <cmath>
#include <cstdio>

int main() {
  using namespace sharpscope;
  Model model(make_network("mlp:6", InputShape{1, 4, 4, 3}), "mlp:6");
  // 16·6 + 6 weights and biases in, 6·3 + 3 out.
  const int64_t expected = 16 * 6 + 6 + 6 * 3 + 3;
  const double n = norm(model.parameters());
  if (model.parameter_count() != expected || !(n > 0.0) ||
      std::abs(dot(model.parameters(), model.parameters()) - n * n) > 1e-9 * n * n) {
    std::printf("consumer: unexpected model (%lld parameters, norm %g)\n",
                static_cast<long long>(model.parameter_count()), n);
    return 1;
  }
  std::printf("consumer: %lld parameters, norm %.6f\n", static_cast<long long>(expected), n);
  return 0;
}
