# Ships a threaded module's Node glue beside its ES module, as a pair (cmake -P; run by
# CMakeLists.txt after the ES module links, the Node link being done):
#   -DES=web/wasm/<module> -DNODE=build/wasm/<module>-node -DDEST=web/wasm/<module>-node
# Both glues load the one <module>.wasm the ES link wrote. A glue fits only the .wasm of its own
# link (the imports' minified names), so the Node link's .wasm must be byte-identical to it;
# otherwise Node would crash later with "Cannot register type '' twice" (docs/toolchain.md).
file(SHA256 "${ES}.wasm" es_hash)
file(SHA256 "${NODE}.wasm" node_hash)
if(NOT es_hash STREQUAL node_hash)
  message(FATAL_ERROR "convolens: ${NODE}.wasm differs from ${ES}.wasm: the Node glue would not fit "
                      "the shipped .wasm. The two links must give the same binary (same sources, "
                      "libraries and wasm-affecting flags); the Node glue was not shipped.")
endif()
configure_file("${NODE}.cjs" "${DEST}.cjs" COPYONLY)
configure_file("${NODE}.worker.js" "${DEST}.worker.cjs" COPYONLY)
