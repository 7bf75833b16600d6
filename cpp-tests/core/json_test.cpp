// The JSON reader: strict syntax, bounded size, and messages that name the file and byte.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.h"
#include "core/json.h"
#include "core/limits.h"

using namespace convolens;

TEST(Json, ParserIsStrict) {
  const auto v = json::parse(R"( {"a": [1, -2.5e3, true, null, "x\u00e9\n"], "b": {}} )");
  EXPECT_EQ(v.find("a")->array()[1].number(), -2500);
  EXPECT_EQ(v.find("a")->array()[4].string(), "x\xc3\xa9\n");
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "01x", "\"\\q\"", "NaN", "[1] 2", "{\"a\":1,\"a\":2}", "\"\x01\""})
    EXPECT_THROW(json::parse(bad), TypeError) << bad;
  std::string many = "[0";  // a huge flat array is refused before it eats the memory
  for (std::size_t i = 0; i < limits::kMaxJsonValues; ++i) many += ",0";
  EXPECT_THROW(json::parse(many + "]"), RangeError);
}

TEST(Json, MessagesNameTheSourceAndByte) {
  try {
    json::parse("[1,", "model.json");
    ADD_FAILURE() << "no error";
  } catch (const TypeError& e) {
    EXPECT_STREQ(e.what(), "model.json: unexpected end of input at byte 3");
  }
}

// A large object's duplicate keys are found through an index (not a search per key), and the
// message shows a NUL in the key instead of ending there.
TEST(Json, DuplicateKeysInLargeObjects) {
  std::string big = "{";
  for (int i = 0; i < 50000; ++i) big += "\"k" + std::to_string(i) + "\":0,";
  EXPECT_EQ(json::parse(big + "\"end\":1}").members().size(), 50001u);
  try {
    json::parse(big + "\"a\\u0000b\":1,\"k7\":2}");
    ADD_FAILURE() << "no error";
  } catch (const TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate key \"k7\""), std::string::npos) << e.what();
  }
  try {
    json::parse("{\"a\\u0000b\":1,\"a\\u0000b\":2}");
    ADD_FAILURE() << "no error";
  } catch (const TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate key \"a\\u0000b\" at byte"), std::string::npos) << e.what();
  }
}

// A NUL in a string would cut an error message that quotes it (a C string on its way to JS):
// \u0000 stays escaped; other escapes decode.
TEST(Json, NulStaysEscaped) {
  EXPECT_EQ(json::parse(R"("a\u0000b\u0001\n")").string(), "a\\u0000b\x01\n");
  EXPECT_EQ(json::parse(R"("\u0000")").string().size(), 6u);
}
