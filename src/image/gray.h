// Mode::Gray on RGBA frames: luminance in (one byte per pixel), gray back out as R = G = B with
// the source's alpha. Scalar references and SIMD twins, bit-identical; the dispatching entry
// points pick the SIMD twin where SIMD rows run (src/simd/dispatch.h).
#pragma once
#include <cstdint>

namespace convolens {

// luma[i] = (77 r + 150 g + 29 b + 128) >> 8 for n RGBA pixels.
void rgba_to_luma__scalar(const std::uint8_t* rgba, std::uint8_t* luma, int n);
void rgba_to_luma__wasmsimd(const std::uint8_t* rgba, std::uint8_t* luma, int n);
// out pixel i = (luma[i], luma[i], luma[i], alpha of src pixel i).
void luma_to_rgba__scalar(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n);
void luma_to_rgba__wasmsimd(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n);

void rgba_to_luma(const std::uint8_t* rgba, std::uint8_t* luma, int n);
void luma_to_rgba(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n);

}  // namespace convolens
