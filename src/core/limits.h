// Size limits on outside input (images, model files, batches), in one place so the core, the
// loader and the bindings refuse the same sizes with the same numbers in their messages.
// They bound memory (a 2^26-float tensor is 256 MB) and work per call on hostile input.
// Messages spell some of them out as text ("1..16384"; cheaper in code size than formatting):
// changing a value here means changing the messages that name it (grep the constant's name).
#pragma once
#include <cstddef>

namespace convolens::limits {

inline constexpr int kMaxSide = 16384;                   // any one image or tensor dimension
inline constexpr int kMaxFrameSide = kMaxSide;           // filter frames, each side (JS: MAX_FRAME_SIDE)
// Drawings for the digit classifier, each side: a drawing costs 8 bytes a pixel (RGBA + float
// scratch), so 8192x8192 is already 512 MB (JS: digits.js's maxSide).
inline constexpr int kMaxDrawingSide = 8192;
inline constexpr double kMaxElements = double(1 << 26);  // floats in one tensor, in all weights, in one batch
inline constexpr int kMaxWindow = 1024;                  // kernel size, strides, dilation, pool size, multiplier
inline constexpr int kMaxUnits = 1 << 20;                // Dense units
inline constexpr int kMaxPadding = 4096;                 // ZeroPadding2D, each side
inline constexpr std::size_t kMaxLayers = 1000;          // layers in one model
// Weight entries in one manifest: a layer has at most 4 (BatchNormalization), so 4 per layer.
inline constexpr std::size_t kMaxWeightEntries = 4 * kMaxLayers;
inline constexpr int kMaxWeightRank = 6;                 // dimensions of one weight's shape
inline constexpr int kMaxJsonDepth = 64;                 // model.json nests about 8 deep
inline constexpr std::size_t kMaxJsonValues = std::size_t(1) << 18;  // 1000 layers need ~100k
inline constexpr std::size_t kMaxJsonBytes = std::size_t(64) << 20;  // one model.json ("larger than 64 MB")

}  // namespace convolens::limits
