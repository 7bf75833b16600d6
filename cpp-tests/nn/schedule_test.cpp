// The threaded schedule (batch lanes, conv row bands) gives the single-thread outputs bit for
// bit, for thread counts 2..8, batch sizes around the thread count, and conv layers big
// enough to be split or with the thresholds lowered to split everything (same/valid padding, strides, dilation, depthwise, odd heights).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/buffer.h"
#include "core/errors.h"
#include "core/thread_pool.h"
#include "nn/model.h"
#include "nn/schedule.h"
#include "nn_test_util.h"

#if CONVOLENS_THREADS  // the single-thread wasm builds have no schedule
namespace convolens::nn {
namespace {

using testing::random_floats;
using testing::sequential_json;
using testing::TestWeight;
using testing::weight_bytes;

struct ThreadsGuard {
  ~ThreadsGuard() {
    set_threads(1);
    set_split_thresholds(-1, -1);
  }
};

std::string cfg(const std::string& cls, const std::string& name, const std::string& extra) {
  return R"({"class_name":")" + cls + R"(","config":{"name":")" + name + "\"" + extra + "}}";
}

struct Case {
  std::string name;
  std::vector<std::string> layers;
  std::vector<TestWeight> ws;
};

std::vector<Case> cases() {
  std::vector<Case> cs;
  // The tiny MNIST net (batches; at batch 1 its second conv layer splits into row bands).
  cs.push_back({"mnist",
                {cfg("Conv2D", "c1", R"(,"filters":8,"kernel_size":[5,5],"padding":"same","activation":"relu","batch_input_shape":[null,28,28,1])"),
                 cfg("MaxPooling2D", "p1", R"(,"pool_size":[2,2])"),
                 cfg("Conv2D", "c2", R"(,"filters":16,"kernel_size":[5,5],"padding":"same","activation":"relu")"),
                 cfg("MaxPooling2D", "p2", R"(,"pool_size":[2,2])"), cfg("Flatten", "f", ""),
                 cfg("Dense", "d", R"(,"units":10,"activation":"softmax")")},
                {{"c1/kernel", {5, 5, 1, 8}, random_floats(200, 1, -0.5f, 0.5f)},
                 {"c1/bias", {8}, random_floats(8, 2)},
                 {"c2/kernel", {5, 5, 8, 16}, random_floats(3200, 3, -0.2f, 0.2f)},
                 {"c2/bias", {16}, random_floats(16, 4)},
                 {"d/kernel", {784, 10}, random_floats(7840, 5, -0.1f, 0.1f)},
                 {"d/bias", {10}, random_floats(10, 6)}}});
  // Every conv kind, odd heights: split into row bands when the thresholds are lowered to 0.
  cs.push_back({"big-same-valid-strided-dilated-depthwise",
                {cfg("Conv2D", "a", R"(,"filters":16,"kernel_size":[3,3],"padding":"same","activation":"relu","batch_input_shape":[null,29,23,8])"),
                 cfg("Conv2D", "b", R"(,"filters":12,"kernel_size":[5,5],"strides":[2,2],"padding":"same")"),
                 cfg("Conv2D", "c", R"(,"filters":16,"kernel_size":[3,3],"dilation_rate":[2,2],"padding":"valid","activation":"relu")"),
                 cfg("DepthwiseConv2D", "dw", R"(,"kernel_size":[5,5],"depth_multiplier":2,"padding":"same")"),
                 cfg("Conv2D", "e", R"(,"filters":4,"kernel_size":[4,4],"strides":[3,3],"padding":"valid")")},
                {{"a/kernel", {3, 3, 8, 16}, random_floats(3 * 3 * 8 * 16, 11)},
                 {"a/bias", {16}, random_floats(16, 12)},
                 {"b/kernel", {5, 5, 16, 12}, random_floats(5 * 5 * 16 * 12, 13, -0.2f, 0.2f)},
                 {"b/bias", {12}, random_floats(12, 14)},
                 {"c/kernel", {3, 3, 12, 16}, random_floats(3 * 3 * 12 * 16, 15, -0.3f, 0.3f)},
                 {"c/bias", {16}, random_floats(16, 16)},
                 {"dw/depthwise_kernel", {5, 5, 16, 2}, random_floats(5 * 5 * 16 * 2, 17)},
                 {"dw/bias", {32}, random_floats(32, 18)},
                 {"e/kernel", {4, 4, 32, 4}, random_floats(4 * 4 * 32 * 4, 19, -0.1f, 0.1f)},
                 {"e/bias", {4}, random_floats(4, 20)}}});
  return cs;
}

// The thresholds sit at the measured crossover (docs/threads.md): a 3x3 16->16 conv layer on
// 10x10 (0.23 M multiply-adds, slower on 2 threads) stays whole, on 12x12 (0.33 M, faster) and
// the tiny MNIST net's second layer split; the big case's first layer splits.
TEST(NnSchedule, ThresholdsSitAtTheMeasuredCrossover) {
  EXPECT_LT(conv_macs(make_geom("s", 10, 10, 16, 3, 3, 1, 1, 1, 1, true, 16, 1), false), kConvSplitMacs);
  EXPECT_GE(conv_macs(make_geom("s", 12, 12, 16, 3, 3, 1, 1, 1, 1, true, 16, 1), false), kConvSplitMacs);
  EXPECT_GT(conv_macs(make_geom("c2", 14, 14, 8, 5, 5, 1, 1, 1, 1, true, 16, 1), false), kConvSplitMacs);
  EXPECT_GT(conv_macs(make_geom("a", 67, 61, 8, 3, 3, 1, 1, 1, 1, true, 16, 1), false), kConvSplitMacs);
}

TEST(NnSchedule, EveryThreadCountGivesTheSingleThreadOutputsBitForBit) {
  ThreadsGuard g;
  for (double split : {-1.0, 0.0})  // measured thresholds; then every batch and conv layer split
  for (const auto& c : cases()) {
    set_split_thresholds(split, split);
    Model m = Model::from_tfjs(sequential_json(c.layers, c.ws), weight_bytes(c.ws));
    const std::size_t in_n = m.input_size(), out_n = m.output_size();
    for (int batch : {1, 2, 3, 9, 41}) {  // 41: chunks of several images (8 per thread, 2..5 threads)
      const auto in = random_floats(in_n * batch, 100 + batch, 0.f, 1.f);
      set_threads(1);
      std::vector<float> want(out_n * batch, NAN);
      m.predict(in.data(), batch, want.data());
      for (int t : {2, 3, 5, 8}) {
        set_threads(t);
        std::vector<float> got(out_n * batch, NAN);
        m.predict(in.data(), batch, got.data());
        ASSERT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0)
            << c.name << ": " << t << " threads, batch " << batch << (split == 0 ? ", every conv split" : "");
      }
    }
  }
}

TEST(NnSchedule, ThreadBuffersBelongToTheModelAndAreFreedWithIt) {
  ThreadsGuard g;
  const auto base = memory_stats().live_bytes;
  {
    const auto c = cases()[1];
    Model m = Model::from_tfjs(sequential_json(c.layers, c.ws), weight_bytes(c.ws));
    const auto in = random_floats(std::size_t(m.input_size()) * 4, 7, 0.f, 1.f);
    std::vector<float> out(std::size_t(m.output_size()) * 4);
    set_threads(4);
    m.predict(in.data(), 4, out.data());
    m.predict(in.data(), 1, out.data());
    const auto during = memory_stats();
    for (int i = 0; i < 10; ++i) m.predict(in.data(), 1 + i % 4, out.data());
    EXPECT_EQ(memory_stats().live_bytes, during.live_bytes) << "no allocation per call";
  }
  EXPECT_EQ(memory_stats().live_bytes, base);
}

}  // namespace
}  // namespace convolens::nn
#endif
