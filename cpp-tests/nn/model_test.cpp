// The TF.js loader and the model runner: valid models of every supported layer, every
// validation error (named), quantized weights, BatchNormalization folding, batches, memory.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/buffer.h"
#include "core/errors.h"
#include "core/limits.h"
#include "nn/kernels.h"
#include "nn/model.h"
#include "nn/tfjs_layers.h"
#include "nn_test_util.h"

namespace convolens::nn {
namespace {

using testing::first_mismatch;
using testing::random_floats;
using testing::sequential_json;
using testing::TestWeight;
using testing::weight_bytes;

std::string conv(const std::string& name, int filters, int k, const std::string& extra = "") {
  return R"({"class_name":"Conv2D","config":{"name":")" + name + R"(","filters":)" + std::to_string(filters) +
         R"(,"kernel_size":[)" + std::to_string(k) + "," + std::to_string(k) + "]" + extra + "}}";
}
std::string layer(const std::string& cls, const std::string& name, const std::string& extra = "") {
  return R"({"class_name":")" + cls + R"(","config":{"name":")" + name + "\"" + extra + "}}";
}
const std::string kInput28 = R"(,"batch_input_shape":[null,28,28,1])";

// The tiny MNIST net of the benchmark.
struct Mnist {
  std::vector<TestWeight> ws = {
      {"c1/kernel", {5, 5, 1, 8}, random_floats(200, 1, -0.5f, 0.5f)},
      {"c1/bias", {8}, random_floats(8, 2)},
      {"c2/kernel", {5, 5, 8, 16}, random_floats(3200, 3, -0.2f, 0.2f)},
      {"c2/bias", {16}, random_floats(16, 4)},
      {"d/kernel", {784, 10}, random_floats(7840, 5, -0.1f, 0.1f)},
      {"d/bias", {10}, random_floats(10, 6)}};
  std::vector<std::string> layers = {
      conv("c1", 8, 5, kInput28 + R"(,"padding":"same","activation":"relu")"),
      layer("MaxPooling2D", "p1", R"(,"pool_size":[2,2])"),
      conv("c2", 8 * 2, 5, R"(,"padding":"same","activation":"relu")"),
      layer("MaxPooling2D", "p2", R"(,"pool_size":2,"strides":2)"),
      layer("Flatten", "f"),
      layer("Dense", "d", R"(,"units":10,"activation":"softmax")")};
  Model load() const { return Model::from_tfjs(sequential_json(layers, ws), weight_bytes(ws)); }
};

void expect_error(const std::string& json, const std::vector<std::uint8_t>& bytes, const std::string& fragment) {
  try {
    Model::from_tfjs(json, bytes);
    ADD_FAILURE() << "no error, expected one containing: " << fragment;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << "message: " << e.what() << "\nexpected: " << fragment;
  }
}

TEST(NnModel, LoadsMnistNetAndSummarises) {
  Model m = Mnist().load();
  EXPECT_EQ(m.input_shape(), (std::vector<int>{28, 28, 1}));
  EXPECT_EQ(m.output_size(), 10);
  const auto& ls = m.layers();
  ASSERT_EQ(ls.size(), 6u);
  EXPECT_EQ(ls[0].name, "c1");
  EXPECT_EQ(ls[0].class_name, "Conv2D");
  EXPECT_EQ(ls[0].output_shape, (std::vector<int>{28, 28, 8}));
  EXPECT_EQ(ls[0].params, 208u);
  EXPECT_EQ(ls[3].output_shape, (std::vector<int>{7, 7, 16}));
  EXPECT_EQ(ls[4].output_shape, (std::vector<int>{784}));
  EXPECT_EQ(ls[5].params, 7850u);
}

TEST(NnModel, SimdEqualsReferenceAndBatchEqualsSingles) {
  Model fast = Mnist().load(), ref = Mnist().load();
  ref.set_reference(true);
  for (int batch : {1, 7}) {
    const auto in = random_floats(std::size_t(batch) * 784, 40 + batch, 0.f, 1.f);
    std::vector<float> a(batch * 10, NAN), b(batch * 10, NAN), one(10);
    fast.predict(in.data(), batch, a.data());
    ref.predict(in.data(), batch, b.data());
    ASSERT_EQ(first_mismatch(a.data(), b.data(), a.size(), 1e-6f), "") << "batch " << batch;
    for (int i = 0; i < batch; ++i) {
      fast.predict(in.data() + i * 784, 1, one.data());
      ASSERT_EQ(first_mismatch(one.data(), a.data() + i * 10, 10, 0.f), "") << "image " << i << " of batch " << batch;
    }
    double s = 0;
    for (int i = 0; i < 10; ++i) s += a[i];
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
}

TEST(NnModel, NoAllocationPerCallAndMemoryReturnsToBaseline) {
  const auto base = memory_stats().live_bytes;
  {
    Model m = Mnist().load();
    const auto in = random_floats(784 * 7, 1, 0.f, 1.f);
    std::vector<float> out(70);
    m.predict(in.data(), 7, out.data());
    m.activations(in.data());
    const auto during = memory_stats();
    for (int i = 0; i < 50; ++i) {
      m.predict(in.data(), 1 + i % 7, out.data());
      m.activations(in.data());
    }
    EXPECT_EQ(memory_stats().live_bytes, during.live_bytes);
    EXPECT_EQ(memory_stats().live_buffers, during.live_buffers);
    Model moved = std::move(m);  // movable; buffers move along
    EXPECT_THROW(m.predict(in.data(), 1, out.data()), RangeError);  // NOLINT(bugprone-use-after-move): must be safe
    moved.predict(in.data(), 1, out.data());
    EXPECT_EQ(memory_stats().live_bytes, during.live_bytes);
  }
  EXPECT_EQ(memory_stats().live_bytes, base);
}

TEST(NnModel, ActivationsAreEveryLayersOutput) {
  Model m = Mnist().load();
  const auto in = random_floats(784, 9, 0.f, 1.f);
  m.activations(in.data());
  std::vector<float> out(10);
  m.predict(in.data(), 1, out.data());
  EXPECT_EQ(first_mismatch(m.activation(5), out.data(), 10, 0.f), "");
  for (int i = 0; i < 28 * 28 * 8; ++i) ASSERT_GE(m.activation(0)[i], 0.f) << "relu output " << i;
  EXPECT_EQ(m.activation(4), m.activation(3));  // Flatten shares its input's data
  EXPECT_THROW(m.activation(6), RangeError);
  const auto w = m.weights(0);
  EXPECT_EQ(w.shape, (std::vector<int>{5, 5, 1, 8}));
  EXPECT_EQ(w.data[7], Mnist().ws[0].values[7]);
  EXPECT_EQ(m.weights(1).data, nullptr);  // pooling has none
}

// A model that starts with a data-free layer: its view is a copy, not the caller's input.
TEST(NnModel, ActivationsOfALeadingIdentityLayerAreACopy) {
  std::vector<TestWeight> ws = {{"d/kernel", {4, 2}, random_floats(8, 1)}};
  Model m = Model::from_tfjs(sequential_json({layer("Flatten", "f", R"(,"batch_input_shape":[null,2,2,1])"),
                                              layer("Dropout", "dr", R"(,"rate":0.5)"),
                                              layer("Dense", "d", R"(,"units":2,"use_bias":false)")},
                                             ws),
                             weight_bytes(ws));
  std::vector<float> x = {1, 2, 3, 4};
  m.activations(x.data());
  EXPECT_NE(m.activation(0), x.data());
  EXPECT_EQ(m.activation(0), m.activation(1));
  x[0] = 99;  // the caller may reuse its buffer; the views keep what the model saw
  EXPECT_EQ(m.activation(0)[0], 1.f);
  EXPECT_FLOAT_EQ(m.activation(2)[1], 1 * ws[0].values[1] + 2 * ws[0].values[3] + 3 * ws[0].values[5] + 4 * ws[0].values[7]);
}

// Conv -> BN (folded) must equal Conv -> standalone scale/shift computed by hand.
TEST(NnModel, BatchNormFoldedIntoConvMatchesDefinition) {
  const int C = 5;
  std::vector<TestWeight> ws = {{"c/kernel", {3, 3, 3, C}, random_floats(135, 1)},
                                {"c/bias", {C}, random_floats(C, 2)},
                                {"bn/gamma", {C}, random_floats(C, 3, 0.5f, 2.f)},
                                {"bn/beta", {C}, random_floats(C, 4)},
                                {"bn/moving_mean", {C}, random_floats(C, 5)},
                                {"bn/moving_variance", {C}, random_floats(C, 6, 0.1f, 3.f)}};
  const std::string in = R"(,"batch_input_shape":[null,6,7,3])";
  Model folded = Model::from_tfjs(
      sequential_json({conv("c", C, 3, in + R"(,"padding":"same")"), layer("BatchNormalization", "bn", R"(,"axis":-1,"epsilon":0.001)"),
                       layer("Activation", "a", R"(,"activation":"relu")")},
                      ws),
      weight_bytes(ws));
  EXPECT_EQ(folded.layers()[1].params, 4u * C);
  // predict() fuses the relu into the conv; activations() runs it as its own layer: same result,
  // and the conv's view shows the pre-activation (post-BatchNormalization) values.
  {
    const auto x0 = random_floats(6 * 7 * 3, 8);
    std::vector<float> p(6 * 7 * C);
    folded.predict(x0.data(), 1, p.data());
    folded.activations(x0.data());
    EXPECT_EQ(first_mismatch(folded.activation(2), p.data(), p.size(), 0.f), "");
    bool negative = false;
    for (std::size_t i = 0; i < p.size(); ++i) negative |= folded.activation(0)[i] < 0.f;
    EXPECT_TRUE(negative) << "conv view should be before the relu";
  }
  // Unfolded: the conv alone, then BN by definition.
  std::vector<TestWeight> cw(ws.begin(), ws.begin() + 2);
  Model plain = Model::from_tfjs(sequential_json({conv("c", C, 3, in + R"(,"padding":"same")")}, cw), weight_bytes(cw));
  const auto x = random_floats(6 * 7 * 3, 8);
  std::vector<float> a(6 * 7 * C), b(6 * 7 * C);
  folded.predict(x.data(), 1, a.data());
  plain.predict(x.data(), 1, b.data());
  for (int i = 0; i < 6 * 7 * C; ++i) {
    const int c = i % C;
    const double bn = (b[i] - ws[4].values[c]) / std::sqrt(ws[5].values[c] + 0.001) * ws[2].values[c] + ws[3].values[c];
    ASSERT_NEAR(a[i], std::max(0.0, bn), 1e-5) << "element " << i;
  }
}

TEST(NnModel, StandaloneLayersAndFunctionalChain) {
  // Input -> ZeroPadding -> Depthwise(s2) -> BN (after relu: not foldable) -> AvgPool -> GAP -> Dense -> Reshape
  const int C = 4;
  std::vector<TestWeight> ws = {{"dw/depthwise_kernel", {3, 3, C, 1}, random_floats(36, 1)},
                                {"dw/bias", {C}, random_floats(C, 2)},
                                {"bn/gamma", {C}, random_floats(C, 3, 0.5f, 2.f)},
                                {"bn/beta", {C}, random_floats(C, 4)},
                                {"bn/moving_mean", {C}, random_floats(C, 5)},
                                {"bn/moving_variance", {C}, random_floats(C, 6, 0.1f, 3.f)},
                                {"d/kernel", {C, 6}, random_floats(24, 7)}};
  auto node = [](const std::string& from) { return R"(,"inbound_nodes":[[[")" + from + R"(",0,0,{}]]])"; };
  auto fl = [](const std::string& cls, const std::string& name, const std::string& cfg, const std::string& nodes) {
    return R"({"class_name":")" + cls + R"(","name":")" + name + R"(","config":{"name":")" + name + "\"" + cfg + "}" + nodes + "}";
  };
  // Deliberately not in chain order: the loader follows the links.
  const std::string json = R"({"modelTopology":{"class_name":"Model","config":{"name":"f","layers":[)" +
                           fl("ZeroPadding2D", "zp", R"(,"padding":[[1,0],[2,1]])", node("in")) + "," +
                           fl("InputLayer", "in", R"(,"batch_input_shape":[null,9,8,4])", R"(,"inbound_nodes":[])") + "," +
                           fl("DepthwiseConv2D", "dw", R"(,"kernel_size":3,"strides":2,"padding":"same","activation":"relu")", node("zp")) + "," +
                           fl("BatchNormalization", "bn", "", node("dw")) + "," +
                           fl("AveragePooling2D", "ap", R"(,"pool_size":[2,2],"padding":"same")", node("bn")) + "," +
                           fl("GlobalAveragePooling2D", "gap", "", node("ap")) + "," +
                           fl("Dense", "d", R"(,"units":6,"use_bias":false,"activation":"tanh")", node("gap")) + "," +
                           fl("Reshape", "r", R"(,"target_shape":[2,-1])", node("d")) +
                           R"(],"input_layers":[["in",0,0]],"output_layers":[["r",0,0]]}},"weightsManifest":[{"paths":[],"weights":[)" +
                           [&] {
                             std::string s;
                             for (std::size_t i = 0; i < ws.size(); ++i)
                               s += (i ? std::string(",") : std::string()) + R"({"name":")" + ws[i].name +
                                    R"(","shape":)" + testing::shape_json(ws[i].shape) + R"(,"dtype":"float32"})";
                             return s;
                           }() +
                           "]}]}";
  Model m = Model::from_tfjs(json, weight_bytes(ws));
  const auto& ls = m.layers();
  ASSERT_EQ(ls.size(), 7u);
  EXPECT_EQ(ls[0].output_shape, (std::vector<int>{10, 11, 4}));
  EXPECT_EQ(ls[1].output_shape, (std::vector<int>{5, 6, 4}));
  EXPECT_EQ(ls[3].output_shape, (std::vector<int>{3, 3, 4}));
  EXPECT_EQ(ls[4].output_shape, (std::vector<int>{4}));
  EXPECT_EQ(ls[6].output_shape, (std::vector<int>{2, 3}));
  Model ref = Model::from_tfjs(json, weight_bytes(ws));
  ref.set_reference(true);
  const auto x = random_floats(9 * 8 * 4, 3);
  std::vector<float> a(6), b(6);
  m.predict(x.data(), 1, a.data());
  ref.predict(x.data(), 1, b.data());
  EXPECT_EQ(first_mismatch(a.data(), b.data(), 6, 1e-6f), "");
  for (float v : a) EXPECT_TRUE(std::fabs(v) < 1.f && v != 0.f);
}

TEST(NnModel, QuantizedWeightsAreDequantized) {
  // uint8: v = q*scale + min; uint16 likewise; float16 IEEE half.
  const std::string layers = "[" + layer("Dense", "d", R"(,"units":2,"batch_input_shape":[null,2])") + "]";
  auto model = [&](const std::string& kq, const std::string& bq) {
    return R"({"modelTopology":{"class_name":"Sequential","config":{"layers":)" + layers +
           R"(}},"weightsManifest":[{"paths":["a"],"weights":[{"name":"d/kernel","shape":[2,2],"dtype":"float32","quantization":)" +
           kq + R"(},{"name":"d/bias","shape":[2],"dtype":"float32","quantization":)" + bq + "}]}]}";
  };
  // kernel uint8 q = {0, 1, 2, 255} scale 0.5 min -1 -> {-1, -0.5, 0, 126.5}; bias float16 {1.0, -2.5}
  std::vector<std::uint8_t> bytes = {0, 1, 2, 255, 0x00, 0x3C, 0x00, 0xC1};
  Model m = Model::from_tfjs(model(R"({"dtype":"uint8","scale":0.5,"min":-1})", R"({"dtype":"float16"})"), bytes);
  EXPECT_EQ(std::vector<float>(m.weights(0).data, m.weights(0).data + 4), (std::vector<float>{-1, -0.5f, 0, 126.5f}));
  const float x[2] = {1, 2};
  float y[2];
  m.predict(x, 1, y);
  EXPECT_FLOAT_EQ(y[0], 1.f + (-1.f * 1 + 0.f * 2));
  EXPECT_FLOAT_EQ(y[1], -2.5f + (-0.5f * 1 + 126.5f * 2));
  // uint16 kernel (little endian) + float16 bias with a subnormal (0x0001 = 2^-24)
  std::vector<std::uint8_t> b16 = {1, 0, 0, 1, 2, 0, 3, 0, 0x01, 0x00, 0x00, 0x80};
  Model m16 = Model::from_tfjs(model(R"({"dtype":"uint16","scale":0.25,"min":0})", R"({"dtype":"float16"})"), b16);
  EXPECT_EQ(std::vector<float>(m16.weights(0).data, m16.weights(0).data + 4), (std::vector<float>{0.25f, 64.f, 0.5f, 0.75f}));
  // float16 infinity is rejected as non-finite
  std::vector<std::uint8_t> inf = {0, 1, 2, 3, 0x00, 0x7C, 0, 0};
  expect_error(model(R"({"dtype":"uint8","scale":1,"min":0})", R"({"dtype":"float16"})"), inf, "weight 'd/bias': value 0 is not finite");
  expect_error(model(R"({"dtype":"int4","scale":1,"min":0})", R"({"dtype":"float16"})"), bytes, "quantization dtype 'int4' is not supported");
}

TEST(NnModel, ValidationErrorsNameTheProblem) {
  Mnist mn;
  const auto bytes = weight_bytes(mn.ws);
  auto with_layer = [&](int i, const std::string& l) {
    auto ls = mn.layers;
    ls[i] = l;
    return sequential_json(ls, mn.ws);
  };
  expect_error(with_layer(1, layer("LSTM", "lstm")), bytes, "layer 'lstm' (LSTM): layer class 'LSTM' is not supported");
  expect_error(with_layer(0, conv("c1", 8, 5, kInput28 + R"(,"padding":"same","wobble":3)")), bytes,
               "layer 'c1' (Conv2D): unsupported option 'wobble'");
  expect_error(with_layer(0, conv("c1", 8, 5, kInput28 + R"(,"padding":"causal")")), bytes,
               "layer 'c1' (Conv2D): option 'padding' 'causal' is not supported");
  expect_error(with_layer(0, conv("c1", 8, 5, kInput28 + R"(,"data_format":"channels_first")")), bytes,
               "option 'data_format' 'channels_first' is not supported");
  expect_error(with_layer(0, conv("c1", 8, 5, kInput28 + R"(,"padding":"same","activation":"swish")")), bytes,
               "layer 'c1' (Conv2D): option 'activation' 'swish' is not supported");
  expect_error(with_layer(0, conv("c1", 8, 3, kInput28 + R"(,"padding":"same")")), bytes,
               "layer 'c1' (Conv2D): weight 'c1/kernel' has shape [5,5,1,8], expected [3,3,1,8]");
  expect_error(with_layer(0, conv("c1", 8, 5, kInput28 + R"(,"kernel_size":99999)")), bytes, "kernel_size");
  expect_error(with_layer(0, conv("c1", 8, 5, R"(,"padding":"same")")), bytes, "first layer must give the input shape");
  expect_error(with_layer(0, conv("c1", 8, 5, R"(,"batch_input_shape":[null,100000,28,1])")), bytes, "input dimensions");
  expect_error(with_layer(0, conv("c1", 8, 5, R"(,"batch_input_shape":[null,4,4,1])")), bytes,
               "window 5x5 is larger than the input 4x4");
  expect_error(with_layer(5, layer("Dense", "d", R"(,"units":11)")), bytes, "weight 'd/kernel' has shape [784,10], expected [784,11]");
  expect_error(with_layer(4, layer("Reshape", "f", R"(,"target_shape":[7,7,15])")), bytes, "target_shape does not match");
  // bytes: truncated, surplus, non-finite
  const std::vector<std::uint8_t> shorter(bytes.begin(), bytes.end() - 1);
  expect_error(sequential_json(mn.layers, mn.ws), shorter, "weight 'd/bias': weight data truncated");
  auto longer = bytes;
  longer.push_back(0);
  expect_error(sequential_json(mn.layers, mn.ws), longer, "1 surplus bytes");
  auto nan = mn;
  nan.ws[2].values[17] = std::numeric_limits<float>::quiet_NaN();
  expect_error(sequential_json(nan.layers, nan.ws), weight_bytes(nan.ws), "weight 'c2/kernel': value 17 is not finite");
  // manifest/model disagreements
  auto extra = mn.ws;
  extra.push_back({"ghost/kernel", {1}, {1.f}});
  expect_error(sequential_json(mn.layers, extra), weight_bytes(extra), "weight 'ghost/kernel' in the manifest belongs to no layer");
  auto missing = mn.ws;
  missing.pop_back();
  expect_error(sequential_json(mn.layers, missing), weight_bytes(missing), "weight 'd/bias' is missing");
  // malformed JSON and wrong formats
  expect_error("{\"modelTopology\": [1, 2", bytes, "model.json:");
  expect_error(R"({"format":"graph-model","modelTopology":{"node":[]}})", {}, "modelTopology: missing \"class_name\"");
  expect_error(R"({"weightsManifest":[]})", {}, "missing \"modelTopology\"");
  expect_error(std::string(100, '['), std::vector<std::uint8_t>(1), "model.json:");
}

// A hostile manifest: many entries are refused up front (the limit), and the duplicate-name
// check is linear (it used to compare every pair: 40,000 entries took 35 s).
TEST(NnModel, ManyWeightEntriesAreRefusedQuickly) {
  const std::vector<std::string> layers = {layer("Dense", "d", R"(,"batch_input_shape":[null,1],"units":1)")};
  auto entries = [&](std::size_t n, bool duplicate_last) {
    std::vector<TestWeight> ws;
    for (std::size_t i = 0; i < n; ++i) ws.push_back({std::string("w").append(std::to_string(i)), {1}, {0.f}});
    if (duplicate_last) ws.back().name = "w0";
    return ws;
  };
  const auto many = entries(40000, false);
  expect_error(sequential_json(layers, many), weight_bytes(many), "more than 4000 weights in the manifest");
  const auto at_limit = entries(limits::kMaxWeightEntries, true);
  expect_error(sequential_json(layers, at_limit), weight_bytes(at_limit), "weight 'w0': listed twice in the weights manifest");
  const auto unused = entries(limits::kMaxWeightEntries, false);
  expect_error(sequential_json(layers, unused), weight_bytes(unused), "weight 'd/kernel' is missing");
}

// Names with a NUL (legal in JSON as \u0000) must not cut the message where it becomes a
// C string; every name from the file is shown with control characters escaped.
TEST(NnModel, NulInNamesDoesNotCutMessages) {
  Mnist mn;
  const auto bytes = weight_bytes(mn.ws);
  auto ls = mn.layers;
  ls[1] = layer("LS\\u0000TM", "p\\u00001");
  expect_error(sequential_json(ls, mn.ws), bytes, "layer 'p\\u00001' (LS\\u0000TM): layer class 'LS\\u0000TM' is not supported");
  auto ws = mn.ws;
  ws.push_back({"gh\\u0000ost/kernel", {1}, {1.f}});
  expect_error(sequential_json(mn.layers, ws), weight_bytes(ws), "weight 'gh\\u0000ost/kernel' in the manifest belongs to no layer of the model");
  ls = mn.layers;
  ls[0] = conv("c1", 8, 5, kInput28 + R"(,"padding":"same","wob\u0000ble":3)");
  expect_error(sequential_json(ls, mn.ws), bytes, "unsupported option 'wob\\u0000ble'");
}

// The class-name -> builder table holds every class docs/nn.md lists as supported.
TEST(NnModel, BuilderTableCoversTheSupportedClasses) {
  for (const char* cls : {"Conv2D", "DepthwiseConv2D", "Dense", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
                          "Flatten", "Reshape", "ZeroPadding2D", "BatchNormalization", "Dropout", "SpatialDropout2D",
                          "GaussianNoise", "GaussianDropout", "Activation", "ReLU", "LeakyReLU", "Softmax"})
    EXPECT_NE(tfjs::layer_builder(cls), nullptr) << cls;
  EXPECT_EQ(tfjs::layer_builder("LSTM"), nullptr);
  EXPECT_EQ(tfjs::layer_builder("InputLayer"), nullptr);  // handled by the loader itself
}

// tensorflowjs_converter wraps the model in "model_config"; Keras 3 writes inbound_nodes as
// {"args": [{"config": {"keras_history": [...]}}]} and puts InputLayer in the layer list.
TEST(NnModel, ConverterWrapperAndKeras3Nodes) {
  std::vector<TestWeight> ws = {{"d/kernel", {3, 2}, random_floats(6, 1)}, {"d/bias", {2}, random_floats(2, 2)}};
  const std::string k3node = R"(,"inbound_nodes":[{"args":[{"class_name":"__keras_tensor__","config":{"shape":[null,3],"dtype":"float32","keras_history":["in",0,0]}}],"kwargs":{}}])";
  const std::string json =
      R"({"modelTopology":{"keras_version":"3.1","backend":"tensorflow","model_config":{"class_name":"Functional","config":{"name":"f","layers":[)"
      R"({"module":"keras.layers","class_name":"InputLayer","config":{"batch_shape":[null,3],"dtype":"float32","sparse":false,"name":"in"},"name":"in","inbound_nodes":[]},)"
      R"({"module":"keras.layers","class_name":"Dense","config":{"name":"d","trainable":true,"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"float32"}},"units":2,"activation":{"module":"keras.activations","class_name":"function","config":"relu"},"use_bias":true},"name":"d")" +
      k3node + R"(}],"input_layers":[["in",0,0]],"output_layers":[["d",0,0]]}}},"weightsManifest":[{"paths":["a"],"weights":[)"
      R"({"name":"d/kernel","shape":[3,2],"dtype":"float32"},{"name":"d/bias","shape":[2],"dtype":"float32"}]}]})";
  Model m = Model::from_tfjs(json, weight_bytes(ws));
  EXPECT_EQ(m.input_shape(), (std::vector<int>{3}));
  const float x[3] = {1, -2, 0.5f};
  float y[2];
  m.predict(x, 1, y);
  for (int n = 0; n < 2; ++n) {
    const float v = ws[1].values[n] + x[0] * ws[0].values[n] + x[1] * ws[0].values[2 + n] + x[2] * ws[0].values[4 + n];
    EXPECT_FLOAT_EQ(y[n], std::max(v, 0.f)) << n;
  }
  // Branching graphs are refused with a clear message.
  const std::string two = R"({"modelTopology":{"class_name":"Model","config":{"layers":[)"
                          R"({"class_name":"InputLayer","name":"in","config":{"name":"in","batch_input_shape":[null,3]},"inbound_nodes":[]},)"
                          R"({"class_name":"Dense","name":"a","config":{"name":"a","units":1},"inbound_nodes":[[["in",0,0,{}]]]},)"
                          R"({"class_name":"Dense","name":"b","config":{"name":"b","units":1},"inbound_nodes":[[["in",0,0,{}]]]}]}}})";
  expect_error(two, {}, "layer 'in' feeds more than one layer; only single chains are supported");
}

// The fuzzer's seeds must be valid models, or the fuzzer starts from rejected inputs.
TEST(NnModel, FuzzSeedCorpusLoadsAndRuns) {
  for (const char* name : {"mnist_small", "bn_depthwise_quant", "functional"}) {
    std::ifstream f(std::string(CONVOLENS_SOURCE_DIR) + "/tools/fuzz/corpus/nn_model/" + name, std::ios::binary);
    ASSERT_TRUE(f) << name;
    const std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::uint32_t n;
    std::memcpy(&n, d.data(), 4);
    Model m = Model::from_tfjs(std::string_view(reinterpret_cast<const char*>(d.data() + 4), n),
                               std::span<const std::uint8_t>(d.data() + 4 + n, d.size() - 4 - n));
    std::vector<float> in(m.input_size(), 0.5f), out(m.output_size());
    m.predict(in.data(), 1, out.data());
    for (float v : out) EXPECT_TRUE(std::isfinite(v)) << name;
  }
}

}  // namespace
}  // namespace convolens::nn
