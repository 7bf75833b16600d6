#include "mnist/stray_ink.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace convolens::mnist {
namespace {

struct Box {
  int x0, y0, x1, y1;  // inclusive; empty when x1 < x0
  void add(const Box& b) {
    x0 = std::min(x0, b.x0), y0 = std::min(y0, b.y0), x1 = std::max(x1, b.x1), y1 = std::max(y1, b.y1);
  }
};

// The queue holds pixel indices in scratch the caller typed as floats: memcpy keeps that legal.
std::int32_t get(const void* q, int i) {
  std::int32_t v;
  std::memcpy(&v, static_cast<const char*>(q) + 4 * std::size_t(i), 4);
  return v;
}
void put(void* q, int i, std::int32_t v) { std::memcpy(static_cast<char*>(q) + 4 * std::size_t(i), &v, 4); }

// Flood-fills the piece at `seed`: its pixels are those with sign * ink > thr, and each one's
// sign flips when it is reached (pass 1 marks pieces as seen by making them negative, pass 2
// turns them back). Returns the pixel count; the pixels are left in queue[0, n).
int fill(float* ink, int w, int h, int seed, float sign, float thr, void* q, Box* box) {
  int n = 0;
  put(q, n++, seed);
  ink[seed] = -ink[seed];
  *box = {w, h, -1, -1};
  for (int i = 0; i < n; ++i) {
    const int p = get(q, i), x = p % w, y = p / w;
    box->add({x, y, x, y});
    for (int Y = std::max(0, y - 1); Y <= std::min(h - 1, y + 1); ++Y)
      for (int X = std::max(0, x - 1); X <= std::min(w - 1, x + 1); ++X) {
        const int j = Y * w + X;
        if (sign * ink[j] > thr) {
          ink[j] = -ink[j];
          put(q, n++, j);
        }
      }
  }
  return n;
}

}  // namespace

int drop_stray_ink(float* ink, int w, int h, float thr, int count, void* q) {
  const int n_pixels = w * h;
  const float small = kStrayShare * float(count);
  // Pass 1: the main box (the largest piece and every large one).
  Box main{w, h, -1, -1}, box, largest{w, h, -1, -1};
  int pieces = 0, most = 0;
  for (int p = 0; p < n_pixels; ++p)
    if (ink[p] > thr) {
      const int n = fill(ink, w, h, p, 1.f, thr, q, &box);
      ++pieces;
      if (n >= small) main.add(box);
      if (n > most) most = n, largest = box;
    }
  main.add(largest);
  const float gap = kStrayGap * float(std::max(main.x1 - main.x0, main.y1 - main.y0) + 1);
  // Pass 2: restore every piece; drop the small ones far from the main box.
  int left = count;
  for (int p = 0; p < n_pixels; ++p)
    if (ink[p] < -thr) {
      const int n = fill(ink, w, h, p, -1.f, thr, q, &box);
      const int dx = std::max({0, main.x0 - box.x1, box.x0 - main.x1}), dy = std::max({0, main.y0 - box.y1, box.y0 - main.y1});
      if (pieces == 1 || n >= small || float(std::max(dx, dy)) <= gap) continue;
      left -= n;
      for (int i = 0; i < n; ++i) {  // the piece and its faint anti-aliased rim
        const int c = get(q, i), x = c % w, y = c / w;
        for (int Y = std::max(0, y - 1); Y <= std::min(h - 1, y + 1); ++Y)
          for (int X = std::max(0, x - 1); X <= std::min(w - 1, x + 1); ++X)
            if (ink[Y * w + X] <= thr || Y * w + X == c) ink[Y * w + X] = 0.f;
      }
    }
  return left;
}

}  // namespace convolens::mnist
