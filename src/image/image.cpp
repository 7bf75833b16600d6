#include "image/image.h"

namespace convolens {

int border_index(int i, int n, Border border) {
  if (i >= 0 && i < n) return i;
  switch (border) {
    case Border::Constant:
      return -1;
    case Border::Replicate:
      return i < 0 ? 0 : n - 1;
    case Border::Wrap: {
      const int m = i % n;
      return m < 0 ? m + n : m;
    }
    case Border::Reflect101: {
      if (n == 1) return 0;
      // Reflection has period 2(n-1): fold into it, then mirror the upper half.
      const int period = 2 * (n - 1);
      int m = i % period;
      if (m < 0) m += period;
      return m < n ? m : period - m;
    }
  }
  return 0;
}

}  // namespace convolens
