#include "sharpscope/dynamics/valley.h"

#include <cmath>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/landscape/range.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

// L = w²/2 is increasing in |w|, so its maximum over [w − ρ, w + ρ] is at |w| + ρ.
TEST(Valley, SamObjectiveOfAQuadraticIsLAtAbsWPlusRho) {
  const ValleyLoss loss = quadratic_valley();
  for (double rho : {0.0, 0.05, 0.3, 1.0}) {
    for (double w : {-1.7, -0.2, 0.0, 0.01, 0.9}) {
      EXPECT_DOUBLE_EQ(sam_objective(loss, w, rho), loss.value(std::abs(w) + rho))
          << w << " " << rho;
    }
  }
}

// Against a brute-force maximum over 200 001 samples of ε: the exact value is never below it and
// exceeds it by at most the sampling error. The window's ends are sampled exactly and L′ = 0 at an
// interior maximum, so the error is at most ½|L″|h² ≈ ½·10·(7e-6)² ≈ 2.5e-10.
TEST(Valley, SamObjectiveMatchesBruteForceIncludingInteriorMaxima) {
  for (const ValleyLoss& loss : {sextic_valley(), linex_valley(-0.3)}) {
    for (double rho : {0.1, 0.3, 0.7}) {
      for (double w = -0.5; w <= 2.5; w += 0.173) {
        double sampled = -INFINITY;
        for (int k = 0; k <= 200000; ++k)
          sampled = std::max(sampled, loss.value(w - rho + rho * k / 100000.0));
        const double exact = sam_objective(loss, w, rho);
        EXPECT_GE(exact, sampled - 1e-12 * (1 + sampled))
            << loss.name << " w " << w << " rho " << rho;
        EXPECT_LE(exact - sampled, 1e-8) << loss.name << " w " << w << " rho " << rho;
      }
    }
  }
}

// LINEX, α = −0.3: steep for w < 0, flat for w > 0. The minimum of L̃ balances the two ends of the
// window, L(w̃ − ρ) = L(w̃ + ρ), and moves to the flat side, further for larger ρ. For small ρ the
// Taylor expansion L ≈ α²w²/2 + α³w³/6 gives w̃ ≈ −αρ²/6.
//
// 002 Theorem 3.3.2 places w̃* in [(c−1)/(c+1)·ρ, ρ) for an (r, p, c, 0)-asymmetric direction.
// LINEX's steep-side slope vanishes at w* = 0, so its hypotheses hold only for c → 1, giving [0,
// ρ): w̃* must lie strictly inside it.
TEST(Valley, LinexMinimumMovesToTheFlatSideWithinTheoremInterval) {
  const ValleyLoss loss = linex_valley(-0.3);
  const std::vector<double> rhos{0.1, 1.0, 2.0, 4.0, 8.0};
  const ValleyCurves curves = valley_curves(loss, rhos, Range{-20.0, 20.0, 4001}.values());
  ASSERT_EQ(curves.minima.size(), 1u);
  EXPECT_NEAR(curves.minima[0].w, 0.0, 1e-7);
  double previous = 0.0;
  for (size_t i = 0; i < rhos.size(); ++i) {
    ASSERT_EQ(curves.sam_minima[i].size(), 1u) << rhos[i];
    const double w = curves.sam_minima[i][0].w;
    EXPECT_GT(w, 0.0);
    EXPECT_LT(w, rhos[i]);
    EXPECT_GT(w, previous);
    previous = w;
    EXPECT_NEAR(loss.value(w - rhos[i]), loss.value(w + rhos[i]), 1e-8 * loss.value(w + rhos[i]));
    EXPECT_DOUBLE_EQ(curves.shifts[i][0], w - curves.minima[0].w);
  }
  EXPECT_NEAR(curves.sam_minima[0][0].w, 0.3 * 0.01 / 6.0, 1e-2 * 0.3 * 0.01 / 6.0);
}

// The sextic is symmetric about its middle minimum, L(1 + t) = L(1 − t): L̃'s minimum stays at 1.
// Its outer minima 0 and 2 sit in mirrored asymmetric valleys (steep outside): they move inwards by
// the same amount, and merge into the middle once the window spans the local maxima (ρ = 0.3).
TEST(Valley, SymmetricSexticMinimumDoesNotMove) {
  const ValleyCurves curves =
      valley_curves(sextic_valley(), {0.1, 0.2, 0.3}, Range{-0.6, 2.6, 3201}.values());
  ASSERT_EQ(curves.minima.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    bool middle = false;
    for (size_t k = 0; k < curves.sam_minima[i].size(); ++k) {
      if (std::abs(curves.sam_minima[i][k].w - 1.0) < 0.05) {
        middle = true;
        EXPECT_NEAR(curves.shifts[i][k], 0.0, 1e-8);
      }
    }
    EXPECT_TRUE(middle);
  }
  ASSERT_EQ(curves.sam_minima[0].size(), 3u);
  EXPECT_GT(curves.shifts[0][0], 0.0);
  EXPECT_NEAR(curves.shifts[0][0], -curves.shifts[0][2], 1e-8);
  EXPECT_EQ(curves.sam_minima[2].size(), 1u);
}

TEST(Valley, UnknownLossNamesTheFlag) {
  EXPECT_THROW(cli::parse_valley_kind("cubic"), UsageError);
  EXPECT_THROW(valley_loss(ValleyKind::kLinex, 0.0), UsageError);
}

}  // namespace
}  // namespace sharpscope
