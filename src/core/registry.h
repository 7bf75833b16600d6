// The one shape of every kernel registry (image filters, CNN layers), after XNNPACK's configs:
// a table of rows, best first, and one selection rule kept apart from it.
//
//   table:  optimized rows in priority order, then the scalar reference rows
//   rule:   the first row whose eligible() accepts the query wins; a row this build does not
//           carry (run == nullptr) runs its scalar twin in its place
//
// Which rows a build carries is a compile definition of the file that holds the table
// (CONVOLENS_SIMD_ROWS, CONVOLENS_SCALAR_ROWS: src/simd/dispatch.h). The plain wasm module
// carries only the references, so it dispatches each optimized row's twin in that row's place and
// computes the same pixels; the shipped SIMD filter module leaves the references out. Because
// the optimized rows come first, the rows a build carries are always one contiguous run.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>

namespace convolens {

template <class Query, class Fn>
struct KernelRow {
  const char* name;                 // what and how: family__specialisation_isa
  bool (*eligible)(const Query&);   // computes this query, and is the right pick at its place in the table
  Fn run;                           // nullptr: not carried by this build
  const KernelRow* twin;            // optimized rows: the scalar row doing the same arithmetic; references: nullptr
  constexpr bool carried() const { return run != nullptr; }
  constexpr bool reference() const { return twin == nullptr; }
};

// The rule. nullptr when no row accepts the query (each table ends with rows that accept all).
// A row that is not carried has a carried twin in every build that dispatches (tested).
template <class Row, class Query>
const Row* select_row(std::span<const Row> table, const Query& q) {
  for (const Row& r : table)
    if (r.eligible(q)) return r.carried() ? &r : r.twin;
  return nullptr;
}

// The rows this build carries (one contiguous run of the table, see above).
template <class Row>
std::span<const Row> carried_rows(std::span<const Row> table) {
  std::size_t a = 0, b = table.size();
  while (a < b && !table[a].carried()) ++a;
  while (b > a && !table[b - 1].carried()) --b;
  return table.subspan(a, b - a);
}

// Compile-time check of a table: every twin is a reference of the same family (the part of the
// name before "__"), so a wrong index in a twin pointer fails the build.
template <class Row, std::size_t N>
constexpr bool twins_match(const Row (&table)[N]) {
  for (const Row& r : table) {
    if (!r.twin) continue;
    if (r.twin->twin) return false;
    const std::string_view a = r.name, b = r.twin->name;
    const std::size_t fa = a.find("__"), fb = b.find("__");
    if (fa == std::string_view::npos || a.substr(0, fa) != b.substr(0, fb)) return false;
  }
  return true;
}

}  // namespace convolens
