#pragma once
/// Seed mixing shared by every seeded stream (synthetic data, the trainer's per-step streams).
#include <cstdint>

namespace sharpscope {

/// SplitMix64 finalizer (Steele, Lea & Flood 2014): decorrelates generators derived from one
/// seed, which plain seed offsets would not (seed s of one stream would equal seed s+1 of another).
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace sharpscope
