// Ink apart from the digit: a slipped pen or finger leaves a dot or a tick away from the strokes.
// Inside the bounding box it would shrink the digit into a corner of the 28x28 image, so the
// preprocessing drops it before measuring the box.
#pragma once

namespace convolens::mnist {

// A connected piece of ink (8-neighbour, pixels with ink > thr) is stray when it holds less
// than kStrayShare of the ink pixels AND its box lies more than kStrayGap x the longer side of
// the main box away from it (Chebyshev distance between boxes). The main box bounds the
// largest piece and every piece holding at least kStrayShare. So the parts of real digits stay:
// the bar of a 5 or the flag of a 1 are small but touch or nearly touch the rest, the two
// strokes of a 4 are each a large share.
constexpr float kStrayShare = 0.2f;
constexpr float kStrayGap = 0.25f;

// ink: width*height values 0..1, changed in place (stray pieces and their faint rim become 0).
// count: pixels with ink > thr. queue: width*height ints of scratch. Returns the pixels with
// ink > thr that are left.
int drop_stray_ink(float* ink, int width, int height, float thr, int count, void* queue);

}  // namespace convolens::mnist
